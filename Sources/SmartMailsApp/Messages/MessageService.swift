import SmartMailsCore
import SmartMailsStore

/// Accepting messages: each is checked, given its Message-ID and VERP return path, and stored with its queue entry
/// before anyone is told it was accepted; then the delivery workers are woken.
public struct MessageService: Sendable {
    public static let maximumBatch = 1_000

    /// Who sends: the key (its id, and whether it is a live or a sandbox key).
    public struct Sender: Sendable {
        public var keyID: String?
        public var mode: APIKeyMode
        /// The key's `from` domains and daily recipient quota.
        public var limits: SendingLimits
        public init(keyID: String?, mode: APIKeyMode, limits: SendingLimits = .none) {
            self.keyID = keyID
            self.mode = mode
            self.limits = limits
        }
    }

    /// A queued message and what the sender should know about it.
    public struct Accepted: Sendable {
        public let message: Message
        public let warnings: [String]
    }

    let store: any MessageStore & ContactStore & DomainStore
    let templates: TemplateService
    let doorbell: DeliveryDoorbell
    let policy: SendingPolicyService

    public init(store: any MessageStore & ContactStore & DomainStore, templates: TemplateService, doorbell: DeliveryDoorbell, policy: SendingPolicyService) {
        self.policy = policy
        self.store = store
        self.templates = templates
        self.doorbell = doorbell
    }

    public func send(_ draft: MessageDraft, workspaceID: String, sender: Sender, now: Timestamp = .now) async throws -> Accepted {
        let result = try await sendBatch([.success(draft)], workspaceID: workspaceID, sender: sender, now: now)[0]
        return try result.get()
    }

    /// One result per item, in order; the good items are stored together in one transaction. A templated item is
    /// rendered here, so what is stored is what goes out, and a template changed later changes no queued message.
    public func sendBatch(
        _ items: [Result<MessageDraft, ValidationError>], workspaceID: String, sender: Sender, now: Timestamp = .now
    ) async throws -> [Result<Accepted, ValidationError>] {
        guard items.count <= Self.maximumBatch else { throw MessageError.batchTooLarge(count: items.count, maximum: Self.maximumBatch) }
        let drafts = items.map { try? $0.get() }
        let resolved = try await resolveTemplates(drafts.compactMap { $0?.template }, workspaceID: workspaceID)
        // Templated messages that look up `contact` render with the first recipient's contact, found by id or address.
        let lookups = drafts.map { draft -> (id: String?, emailKey: String?) in
            guard let draft, let use = draft.template, (try? resolved[Self.key(use)]?.get())?.compiled.usesContact == true, let first = draft.to.first else {
                return (nil, nil)
            }
            return (first.contactID, first.email.flatMap { try? ContactEmail.parse($0).key })
        }
        // An id that cannot be one is never looked up (it could hold what PostgreSQL refuses in text, such as NUL);
        // `check` reports it as an unknown contact.
        let contacts = try await store.contacts(
            workspaceID: workspaceID, ids: Array(Set(drafts.flatMap { $0?.contactIDs ?? [] }.filter { ResourceID.isWellFormed($0, prefix: Contact.idPrefix) })),
            emailKeys: Array(Set(lookups.compactMap(\.emailKey)))
        )
        let byID = Dictionary(contacts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let byEmail = Dictionary(contacts.map { ($0.email.key, $0) }, uniquingKeysWith: { first, _ in first })
        let addresses = byID.mapValues(Self.address(of:))
        // Per `from` domain: whether the workspace has it (it is signed), and whether it is verified.
        var domains: [String: (known: Bool, verified: Bool)] = [:]
        let requireVerified = try await policy.requiresVerifiedDomains(workspaceID: workspaceID)
        var results: [Result<Accepted, ValidationError>] = []
        for (index, item) in items.enumerated() {
            do {
                var draft = try item.get()
                var reference: TemplateReference?
                if let use = draft.template {
                    let lookup = lookups[index]
                    let contact = lookup.id.flatMap { byID[$0] } ?? lookup.emailKey.flatMap { byEmail[$0] }
                    reference = try Self.render(use, resolved: resolved, contact: contact, into: &draft)
                }
                let checked = try Self.check(draft, rendered: reference != nil, contacts: addresses, now: now)
                let domain = checked.content.from.domain
                if domains[domain] == nil {
                    let found = try await store.domain(workspaceID: workspaceID, name: domain)
                    domains[domain] = (found != nil, found?.isVerified == true)
                }
                guard sender.limits.allows(fromDomain: domain) else {
                    throw ValidationError(
                        param: "from.email", message: "This key may send only from \(sender.limits.fromDomains.joined(separator: ", ")).",
                        code: "from_domain_not_allowed"
                    )
                }
                let standing = domains[domain] ?? (false, false)
                if requireVerified, !standing.verified {
                    throw ValidationError(
                        param: "from.email", message: Self.unverifiedRefusal(domain, known: standing.known), code: "domain_not_verified"
                    )
                }
                let id = ResourceID.make(prefix: Message.idPrefix, at: now)
                let message = Message(
                    id: id, workspaceID: workspaceID, apiKeyID: sender.keyID, mode: sender.mode, status: .queued, content: checked.content,
                    tags: checked.tags, metadata: checked.metadata, sendAt: checked.sendAt,
                    messageIDHeader: "<\(id)@\(domain)>", returnPath: "bounces+\(id)@bounces.\(domain)", createdAt: now, updatedAt: now,
                    template: reference
                )
                let warnings = !standing.known ? [Self.unsignedWarning(domain)] : standing.verified ? [] : [Self.unverifiedWarning(domain)]
                results.append(.success(Accepted(message: message, warnings: warnings)))
            } catch let error as ValidationError {
                results.append(.failure(error))
            }
        }
        let accepted = results.compactMap { try? $0.get().message }
        let charge = quotaCharge(for: accepted, sender: sender, now: now)
        do {
            try await store.insertMessages(accepted, charging: charge)
        } catch let exceeded as RecipientQuotaExceeded {
            // All or nothing: a batch that does not fit is refused whole, so a retry after the reset sends it once.
            throw MessageError.quotaExceeded(
                limit: exceeded.limit, used: exceeded.used, requested: charge?.recipients ?? 0, resetsAt: SendingLimits.quotaDay(at: now).resetsAt
            )
        }
        if !accepted.isEmpty { doorbell.ring() }
        return results
    }

    /// A key's recipients so far today (UTC) and its quota.
    public struct RecipientsToday: Sendable {
        public let day: String
        public let used: Int
        public let quota: Int?
        public let resetsAt: Timestamp
    }

    public func recipientsToday(of key: APIKey, now: Timestamp = .now) async throws -> RecipientsToday {
        let (day, resetsAt) = SendingLimits.quotaDay(at: now)
        return RecipientsToday(day: day, used: try await store.recipientsCounted(keyID: key.id, day: day), quota: key.sendingLimits.dailyRecipients, resetsAt: resetsAt)
    }

    /// What the messages count against the key's daily quota: every recipient of a live message (a sandbox key's
    /// messages are never delivered, so they reach no one).
    private func quotaCharge(for messages: [Message], sender: Sender, now: Timestamp) -> RecipientQuotaCharge? {
        guard let limit = sender.limits.dailyRecipients, let keyID = sender.keyID, sender.mode == .live, !messages.isEmpty else { return nil }
        let recipients = messages.reduce(0) { $0 + $1.content.to.count + $1.content.cc.count + $1.content.bcc.count }
        return RecipientQuotaCharge(keyID: keyID, day: SendingLimits.quotaDay(at: now).day, recipients: recipients, limit: limit)
    }

    /// Each distinct template version the drafts name, looked up and compiled once; a missing one fails only the
    /// items that name it.
    private func resolveTemplates(_ uses: [MessageDraft.TemplateUse], workspaceID: String) async throws -> [String: Result<TemplateService.Resolved, ValidationError>] {
        var resolved: [String: Result<TemplateService.Resolved, ValidationError>] = [:]
        for use in uses where resolved[Self.key(use)] == nil {
            do {
                resolved[Self.key(use)] = .success(try await templates.resolve(id: use.id, version: use.version, workspaceID: workspaceID))
            } catch TemplateError.notFound(let id) {
                resolved[Self.key(use)] = .failure(ValidationError(param: "template.id", message: "This workspace has no template \(id.prefix(40)).", code: "template_not_found"))
            } catch TemplateError.versionNotFound(let id, let version) {
                resolved[Self.key(use)] = .failure(ValidationError(param: "template.version", message: "Template \(id) has no version \(version).", code: "template_not_found"))
            }
        }
        return resolved
    }

    /// Fills the draft's subject and parts from its template; the template's reference, for the message to keep.
    private static func render(
        _ use: MessageDraft.TemplateUse, resolved: [String: Result<TemplateService.Resolved, ValidationError>], contact: Contact?,
        into draft: inout MessageDraft
    ) throws(ValidationError) -> TemplateReference {
        guard draft.subject == nil, draft.html == nil, draft.text == nil else {
            throw ValidationError(param: "template", message: "Give either a template or subject, html and text, not both.")
        }
        guard let result = resolved[key(use)] else { throw ValidationError(param: "template.id", message: "The template was not looked up.") }
        let template = try result.get()
        try TemplateRules.data(use.data, param: "template.data")
        do {
            let rendered = try template.compiled.render(TemplateVariables.make(data: use.data, defaults: template.defaults, contact: contact))
            draft.subject = rendered.subject
            draft.html = rendered.html
            draft.text = rendered.text
        } catch {
            throw ValidationError(param: "template.data", message: error.message, code: error.code)
        }
        return template.reference
    }

    private static func check(
        _ draft: MessageDraft, rendered: Bool, contacts: [String: MessageAddress], now: Timestamp
    ) throws(ValidationError) -> (content: MessageContent, tags: [String], metadata: [String: String], sendAt: Timestamp) {
        do {
            return try MessageRules.check(draft, contacts: contacts, now: now)
        } catch {
            guard rendered, ["subject", "html", "text"].contains(error.param) else { throw error }
            // The template was checked on save: what is wrong came in through the data or the contact.
            throw ValidationError(param: "template.data", message: "The template's \(error.param) as rendered with this data: \(error.message)", code: error.code)
        }
    }

    private static func key(_ use: MessageDraft.TemplateUse) -> String { "\(use.id)@\(use.version.map(String.init) ?? "current")" }

    private static func address(of contact: Contact) -> MessageAddress {
        let name = [contact.firstName, contact.lastName].compactMap { $0 }.joined(separator: " ")
        return MessageAddress(trusted: contact.email.address, name: name.isEmpty ? nil : name)
    }

    public func message(id: String, workspaceID: String) async throws -> Message {
        guard ResourceID.isWellFormed(id, prefix: Message.idPrefix), let message = try await store.message(workspaceID: workspaceID, id: id) else {
            throw MessageError.notFound(id: id)
        }
        return message
    }

    /// Newest first.
    public func messages(workspaceID: String, filter: MessageFilter, page: PageRequest) async throws -> Page<Message> {
        Page(rows: try await store.messages(workspaceID: workspaceID, filter: filter, limit: page.limit + 1, beforeID: page.afterID), limit: page.limit, id: \.id)
    }

    public func cancel(id: String, workspaceID: String, now: Timestamp = .now) async throws -> Message {
        guard ResourceID.isWellFormed(id, prefix: Message.idPrefix), let outcome = try await store.cancelMessage(workspaceID: workspaceID, id: id, at: now) else {
            throw MessageError.notFound(id: id)
        }
        guard outcome.cancelled else { throw MessageError.notCancellable(id: id, status: outcome.message.status.rawValue) }
        return outcome.message
    }

    static func unverifiedWarning(_ domain: String) -> String {
        "\(domain) is not verified: its DNS records were not found published (POST /v1/domains/{id}/verify checks them), so receivers may fail its DKIM signatures."
    }

    static func unverifiedRefusal(_ domain: String, known: Bool) -> String {
        known
            ? "This workspace sends only from verified domains, and \(domain) is not verified yet: publish its records and check them with POST /v1/domains/{id}/verify."
            : "This workspace sends only from verified domains, and \(domain) is not one of its sending domains: add it with POST /v1/domains."
    }

    static func unsignedWarning(_ domain: String) -> String {
        "\(domain) is not a sending domain of this workspace, so the message goes out without a DKIM signature and receivers may junk or refuse it; add it with POST /v1/domains and publish its records."
    }
}
