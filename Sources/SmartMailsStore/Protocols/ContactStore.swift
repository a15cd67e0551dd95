import SmartMailsCore

/// A workspace's contacts: reads with filters, bulk upserts, erasure, and each contact's history.
public protocol ContactStore: Sendable {
    /// Contacts matching `filter`, by id after `afterID`.
    func contacts(workspaceID: String, filter: ContactFilter, limit: Int, afterID: String?, now: Timestamp) async throws -> [Contact]
    func countContacts(workspaceID: String, filter: ContactFilter, now: Timestamp) async throws -> Int
    func contact(workspaceID: String, id: String) async throws -> Contact?
    /// The contacts with any of these ids or address keys (lower-cased addresses), in one read.
    func contacts(workspaceID: String, ids: [String], emailKeys: [String]) async throws -> [Contact]
    /// The distinct attribute names of the matching contacts, sorted.
    func attributeKeys(workspaceID: String, filter: ContactFilter, now: Timestamp) async throws -> [String]
    /// Applies every item in one transaction and returns one outcome per item, in order. Items that fail (and
    /// duplicates of an earlier item) change nothing; the others are written. Contacts that end up created, updated
    /// or unchanged are added to `listID` when given (as `subscribed`, unless they are members already).
    func upsertContacts(workspaceID: String, _ items: [ContactUpsert], policy: ConflictPolicy, listID: String?, source: String, now: Timestamp) async throws -> [UpsertOutcome]
    /// Erases the contact (GDPR art. 17): its row, memberships and history go; a suppression (unsubscribed, bounced,
    /// complained) stays as a hash of the address only. Returns the erased contact, nil when there was none.
    func eraseContact(workspaceID: String, id: String, at: Timestamp, audit: AuditEvent) async throws -> Contact?
    func contactEvents(workspaceID: String, contactID: String, limit: Int) async throws -> [ContactEvent]
    func memberships(workspaceID: String, contactID: String) async throws -> [ListMembership]
}

/// What a contact list or export is narrowed to; every part is optional and they all apply.
public struct ContactFilter: Sendable {
    /// Addresses starting with this (case-insensitively).
    public var emailPrefix: String?
    public var tag: String?
    public var status: ContactStatus?
    public var listID: String?
    public var rule: SegmentRule?
    public var updatedSince: Timestamp?

    public init(emailPrefix: String? = nil, tag: String? = nil, status: ContactStatus? = nil, listID: String? = nil, rule: SegmentRule? = nil, updatedSince: Timestamp? = nil) {
        self.emailPrefix = emailPrefix
        self.tag = tag
        self.status = status
        self.listID = listID
        self.rule = rule
        self.updatedSince = updatedSince
    }
}

/// One entry of a contact's history.
public struct ContactEvent: Sendable, Hashable {
    public var occurredAt: Timestamp
    /// `created`, `updated`, `list_added`, `list_removed`.
    public var kind: String
    /// What changed, and through what (`api`, `batch`, `import imp_…`, `dashboard`).
    public var detail: String

    public init(occurredAt: Timestamp, kind: String, detail: String) {
        self.occurredAt = occurredAt
        self.kind = kind
        self.detail = detail
    }
}
