extension Contact {
    /// A new contact from `changes`, which must name the e-mail. An address that was suppressed before (unsubscribed,
    /// bounced or complained, and then erased) comes back with that status, whatever `changes` says.
    public static func new(
        id: String, workspaceID: String, changes: ContactChanges, suppressedAs: ContactStatus?, now: Timestamp
    ) throws(ValidationError) -> Contact {
        guard let email = changes.email else { throw ValidationError(param: "email", message: "A new contact needs an email.") }
        var contact = Contact(id: id, workspaceID: workspaceID, email: email, createdAt: now, updatedAt: now)
        contact = try contact.applying(changes, policy: .update, now: now)
        if let suppressedAs { contact.status = suppressedAs }
        contact.createdAt = now
        contact.updatedAt = now
        return contact
    }

    /// The contact after `changes` under `policy`; `updatedAt` moves only when something changed.
    public func applying(_ changes: ContactChanges, policy: ConflictPolicy, now: Timestamp) throws(ValidationError) -> Contact {
        if policy == .skip { return self }
        let fill = policy == .fillEmpty
        var next = self
        func set(_ value: String?, _ field: inout String?) {
            guard let value, !(fill && field != nil) else { return }
            field = value.isEmpty ? nil : value
        }
        if let email = changes.email, !fill { next.email = email }
        set(changes.firstName, &next.firstName)
        set(changes.lastName, &next.lastName)
        set(changes.externalID, &next.externalID)
        set(changes.timeZone, &next.timeZone)
        set(changes.locale, &next.locale)
        if let tags = changes.tags, !(fill && !next.tags.isEmpty) { next.tags = tags }
        if !changes.attributes.isEmpty {
            next.attributes = fill ? try attributes.filling(changes.attributes) : try attributes.merging(changes.attributes)
        }
        if let status = changes.status, status != next.status, !fill {
            // Bounces and complaints come from the mail system; a sync saying "active" must not mail them again.
            if next.status == .bounced || next.status == .complained, status == .active {
                throw ValidationError(param: "status", message: "The contact is \(next.status.rawValue); such a contact stays suppressed (only unsubscribed contacts can be made active again).")
            }
            next.status = status
        }
        if let consent = changes.consent, !(fill && next.consent != nil) { next.consent = consent }
        if !next.sameContent(as: self) { next.updatedAt = now }
        return next
    }
}
