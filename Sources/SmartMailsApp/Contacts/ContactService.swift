import Synchronization
import SmartMailsCore
import SmartMailsStore

/// Contacts for the API, the dashboard, imports and the CLI: reads with filters, the upserts a CRM sync calls,
/// batches, and erasure. Every call is scoped to one workspace.
public struct ContactService: Sendable {
    public typealias Store = ContactStore & ListStore & SegmentStore
    public static let maximumBatch = 10_000

    let store: any Store

    public init(store: any Store) { self.store = store }

    public struct Details: Sendable {
        public let contact: Contact
        public let memberships: [ListMembership]
        public let history: [ContactEvent]
    }

    public func contact(id: String, workspaceID: String) async throws -> Contact {
        guard ResourceID.isWellFormed(id, prefix: Contact.idPrefix), let contact = try await store.contact(workspaceID: workspaceID, id: id) else {
            throw ContactError.notFound(kind: "contact", id: id)
        }
        return contact
    }

    public func details(id: String, workspaceID: String) async throws -> Details {
        let contact = try await contact(id: id, workspaceID: workspaceID)
        async let memberships = store.memberships(workspaceID: workspaceID, contactID: id)
        async let history = store.contactEvents(workspaceID: workspaceID, contactID: id, limit: 50)
        return Details(contact: contact, memberships: try await memberships, history: try await history)
    }

    public func list(workspaceID: String, query: ContactQuery, page: PageRequest, now: Timestamp = .now) async throws -> Page<Contact> {
        let filter = try await filter(query, workspaceID: workspaceID)
        let rows = try await store.contacts(workspaceID: workspaceID, filter: filter, limit: page.limit + 1, afterID: page.afterID, now: now)
        return Page(rows: rows, limit: page.limit, id: \.id)
    }

    public func count(workspaceID: String, query: ContactQuery, now: Timestamp = .now) async throws -> Int {
        try await store.countContacts(workspaceID: workspaceID, filter: try await filter(query, workspaceID: workspaceID), now: now)
    }

    /// The store's filter for a query: the segment's rule in place of its id; unknown lists and segments are 404s.
    func filter(_ query: ContactQuery, workspaceID: String) async throws -> ContactFilter {
        var filter = ContactFilter(emailPrefix: query.emailPrefix, tag: query.tag, status: query.status, listID: query.listID, updatedSince: query.updatedSince)
        if let listID = query.listID {
            guard ResourceID.isWellFormed(listID, prefix: ContactList.idPrefix), try await store.list(workspaceID: workspaceID, id: listID) != nil else {
                throw ContactError.notFound(kind: "list", id: listID)
            }
        }
        if let segmentID = query.segmentID {
            guard ResourceID.isWellFormed(segmentID, prefix: Segment.idPrefix), let segment = try await store.segment(workspaceID: workspaceID, id: segmentID) else {
                throw ContactError.notFound(kind: "segment", id: segmentID)
            }
            filter.rule = segment.rule
        }
        return filter
    }

    /// `POST /v1/contacts`: a new contact; an address that exists already is a conflict naming the contact.
    public func create(_ changes: ContactChanges, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> Contact {
        try await single(ContactUpsert(match: .email, changes: changes, createOnly: true), workspaceID: workspaceID, by: actor, now: now).contact
    }

    public func update(id: String, changes: ContactChanges, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> Contact {
        guard ResourceID.isWellFormed(id, prefix: Contact.idPrefix) else { throw ContactError.notFound(kind: "contact", id: id) }
        return try await single(ContactUpsert(match: .id(id), changes: changes), workspaceID: workspaceID, by: actor, now: now).contact
    }

    /// The idempotent upsert a sync calls on every change; `created` tells a new contact from an existing one.
    public func upsert(_ item: ContactUpsert, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> (contact: Contact, created: Bool) {
        try await single(item, workspaceID: workspaceID, by: actor, now: now)
    }

    private func single(_ item: ContactUpsert, workspaceID: String, by actor: ChangeActor, now: Timestamp) async throws -> (contact: Contact, created: Bool) {
        let outcomes = try await store.upsertContacts(workspaceID: workspaceID, [item], policy: .update, listID: nil, source: actor.channel, now: now)
        switch outcomes.first {
        case .created(let contact): return (contact, true)
        case .updated(let contact), .unchanged(let contact): return (contact, false)
        case .failed(let code, let param, let message):
            if code == "not_found", case .id(let id) = item.match { throw ContactError.notFound(kind: "contact", id: id) }
            throw ContactError.rejected(code: code, param: param, message: message)
        case nil: throw ContactError.rejected(code: "validation_failed", param: nil, message: "Nothing was applied.")
        }
    }

    /// Up to `maximumBatch` upserts in one transaction, one outcome per item in order. Items that failed
    /// validation at the edge are passed in as failures and keep their place.
    public func batch(_ items: [Result<ContactUpsert, ValidationError>], workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> [UpsertOutcome] {
        guard items.count <= Self.maximumBatch else { throw ContactError.batchTooLarge(count: items.count, maximum: Self.maximumBatch) }
        let valid = items.compactMap { try? $0.get() }
        var applied = try await store.upsertContacts(
            workspaceID: workspaceID, valid, policy: .update, listID: nil, source: actor.channel == "api" ? "batch" : actor.channel, now: now
        ).makeIterator()
        return items.map { item in
            switch item {
            case .success: applied.next()!
            case .failure(let error): .failed(code: "validation_failed", param: error.param, message: error.message)
            }
        }
    }

    /// Erases the contact: its personal data goes, and only a hash of the address stays where it was suppressed.
    public func erase(id: String, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> Contact {
        guard ResourceID.isWellFormed(id, prefix: Contact.idPrefix) else { throw ContactError.notFound(kind: "contact", id: id) }
        let audit = actor.audit(.contactErased, workspaceID: workspaceID, targetType: "contact", targetID: id, at: now)
        guard let contact = try await store.eraseContact(workspaceID: workspaceID, id: id, at: now, audit: audit) else {
            throw ContactError.notFound(kind: "contact", id: id)
        }
        return contact
    }

    /// Every matching contact, a page at a time (keyset reads, so memory stays flat whatever the audience size).
    public func export(workspaceID: String, query: ContactQuery, pageSize: Int = 1000, now: Timestamp = .now) async throws -> AsyncThrowingStream<[Contact], any Error> {
        let filter = try await filter(query, workspaceID: workspaceID)
        let store = self.store
        let cursor = ExportCursor()
        return AsyncThrowingStream {
            let rows = try await store.contacts(workspaceID: workspaceID, filter: filter, limit: pageSize, afterID: cursor.last.withLock { $0 }, now: now)
            guard !rows.isEmpty else { return nil }
            cursor.last.withLock { $0 = rows.last?.id }
            return rows
        }
    }

    /// The attribute names the matching contacts use, sorted: an export's CSV columns.
    public func attributeKeys(workspaceID: String, query: ContactQuery, now: Timestamp = .now) async throws -> [String] {
        try await store.attributeKeys(workspaceID: workspaceID, filter: try await filter(query, workspaceID: workspaceID), now: now)
    }
}

/// Where an export's next page starts.
private final class ExportCursor: Sendable {
    let last = Mutex<String?>(nil)
}
