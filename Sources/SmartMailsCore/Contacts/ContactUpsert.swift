/// One item of a bulk upsert (the batch API, an import chunk): which existing contact it updates, and how.
public struct ContactUpsert: Sendable, Hashable {
    /// What finds the existing contact: the e-mail, or the CRM's external id (whose e-mail may then change).
    public enum Match: Sendable, Hashable {
        case email
        case externalID
        /// An existing contact by id (a PATCH): never creates one.
        case id(String)
    }

    public var match: Match
    public var changes: ContactChanges
    /// Refuses to touch an existing contact (`POST /v1/contacts`: a second create is a conflict, not an update).
    public var createOnly: Bool
    /// The e-mail only finds the contact (`PUT /v1/contacts/by-email/{email}`): an existing contact keeps its
    /// address as stored, whatever the case of the one it was found by.
    public var emailOnlyMatches: Bool

    public init(match: Match, changes: ContactChanges, createOnly: Bool = false, emailOnlyMatches: Bool = false) {
        self.match = match
        self.changes = changes
        self.createOnly = createOnly
        self.emailOnlyMatches = emailOnlyMatches
    }

    /// The value the item is matched by, lower-cased for e-mails, so duplicates in one batch are found.
    public var matchKey: String? {
        switch match {
        case .email: changes.email.map { "e:" + $0.key }
        case .externalID: changes.externalID.map { "x:" + $0 }
        case .id(let id): "i:" + id
        }
    }
}

/// What became of one upsert item, in the order of the request.
public enum UpsertOutcome: Sendable, Hashable {
    case created(Contact)
    case updated(Contact)
    case unchanged(Contact)
    /// Not applied; `code` is machine-readable (`validation_failed`, `duplicate_in_batch`, `email_taken`,
    /// `external_id_taken`), `param` names the field.
    case failed(code: String, param: String?, message: String)

    public var contact: Contact? {
        switch self {
        case .created(let contact), .updated(let contact), .unchanged(let contact): contact
        case .failed: nil
        }
    }
}

/// How many items of a bulk upsert ended each way.
public struct UpsertTally: Sendable, Hashable {
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    public var failed = 0

    public init() {}

    public mutating func count(_ outcome: UpsertOutcome) {
        switch outcome {
        case .created: created += 1
        case .updated: updated += 1
        case .unchanged: unchanged += 1
        case .failed: failed += 1
        }
    }
}
