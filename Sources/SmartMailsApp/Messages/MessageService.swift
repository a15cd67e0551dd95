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
        public init(keyID: String?, mode: APIKeyMode) {
            self.keyID = keyID
            self.mode = mode
        }
    }

    /// A queued message and what the sender should know about it.
    public struct Accepted: Sendable {
        public let message: Message
        public let warnings: [String]
    }

    let store: any MessageStore & ContactStore & DomainStore
    let doorbell: DeliveryDoorbell

    public init(store: any MessageStore & ContactStore & DomainStore, doorbell: DeliveryDoorbell) {
        self.store = store
        self.doorbell = doorbell
    }

    public func send(_ draft: MessageDraft, workspaceID: String, sender: Sender, now: Timestamp = .now) async throws -> Accepted {
        let result = try await sendBatch([.success(draft)], workspaceID: workspaceID, sender: sender, now: now)[0]
        return try result.get()
    }

    /// One result per item, in order; the good items are stored together in one transaction.
    public func sendBatch(
        _ items: [Result<MessageDraft, ValidationError>], workspaceID: String, sender: Sender, now: Timestamp = .now
    ) async throws -> [Result<Accepted, ValidationError>] {
        guard items.count <= Self.maximumBatch else { throw MessageError.batchTooLarge(count: items.count, maximum: Self.maximumBatch) }
        let contacts = try await contactAddresses(Set(items.flatMap { (try? $0.get())?.contactIDs ?? [] }), workspaceID: workspaceID)
        var domains: [String: Bool] = [:]
        var results: [Result<Accepted, ValidationError>] = []
        for item in items {
            do {
                let draft = try item.get()
                let checked = try MessageRules.check(draft, contacts: contacts, now: now)
                let domain = checked.content.from.domain
                if domains[domain] == nil { domains[domain] = try await store.domain(workspaceID: workspaceID, name: domain) != nil }
                let id = ResourceID.make(prefix: Message.idPrefix, at: now)
                let message = Message(
                    id: id, workspaceID: workspaceID, apiKeyID: sender.keyID, mode: sender.mode, status: .queued, content: checked.content,
                    tags: checked.tags, metadata: checked.metadata, sendAt: checked.sendAt,
                    messageIDHeader: "<\(id)@\(domain)>", returnPath: "bounces+\(id)@bounces.\(domain)", createdAt: now, updatedAt: now
                )
                results.append(.success(Accepted(message: message, warnings: domains[domain] == true ? [] : [Self.unsignedWarning(domain)])))
            } catch let error as ValidationError {
                results.append(.failure(error))
            }
        }
        let accepted = results.compactMap { try? $0.get().message }
        try await store.insertMessages(accepted)
        if !accepted.isEmpty { doorbell.ring() }
        return results
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

    private func contactAddresses(_ ids: Set<String>, workspaceID: String) async throws -> [String: MessageAddress] {
        var found: [String: MessageAddress] = [:]
        for id in ids where ResourceID.isWellFormed(id, prefix: Contact.idPrefix) {
            guard let contact = try await store.contact(workspaceID: workspaceID, id: id) else { continue }
            let name = [contact.firstName, contact.lastName].compactMap { $0 }.joined(separator: " ")
            found[id] = MessageAddress(trusted: contact.email.address, name: name.isEmpty ? nil : name)
        }
        return found
    }

    static func unsignedWarning(_ domain: String) -> String {
        "\(domain) is not a sending domain of this workspace, so the message goes out without a DKIM signature and receivers may junk or refuse it; add it with POST /v1/domains and publish its records."
    }
}
