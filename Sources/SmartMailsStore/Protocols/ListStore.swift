import SmartMailsCore

/// A workspace's lists and their members.
public protocol ListStore: Sendable {
    func insertList(_ list: ContactList, audit: AuditEvent) async throws
    func lists(workspaceID: String, limit: Int, afterID: String?) async throws -> [ListSummary]
    func list(workspaceID: String, id: String) async throws -> ListSummary?
    func updateList(_ list: ContactList, audit: AuditEvent) async throws -> Bool
    /// Deletes the list and its memberships (the contacts stay).
    func deleteList(workspaceID: String, id: String, audit: AuditEvent) async throws -> Bool
    /// Sets the state of the given contacts in the list (adding those not in it); ids of other workspaces are
    /// skipped. Returns how many memberships were added or changed.
    func setMembership(workspaceID: String, listID: String, contactIDs: [String], state: MembershipState, source: String, at: Timestamp) async throws -> Int
    /// Adds every contact `rule` matches (as `state`), in the database, without loading them.
    func setMembership(workspaceID: String, listID: String, matching rule: SegmentRule, state: MembershipState, source: String, at: Timestamp) async throws -> Int
    func removeMembers(workspaceID: String, listID: String, contactIDs: [String], source: String, at: Timestamp) async throws -> Int
    /// The ids of the workspace's contacts with these address keys (lower-cased e-mails).
    func contactIDs(workspaceID: String, emailKeys: [String]) async throws -> [String: String]
}

/// Saved segments.
public protocol SegmentStore: Sendable {
    func insertSegment(_ segment: Segment, audit: AuditEvent) async throws
    func segments(workspaceID: String, limit: Int, afterID: String?) async throws -> [Segment]
    func segment(workspaceID: String, id: String) async throws -> Segment?
    func updateSegment(_ segment: Segment, audit: AuditEvent) async throws -> Bool
    func deleteSegment(workspaceID: String, id: String, audit: AuditEvent) async throws -> Bool
}

/// CSV imports and their progress.
public protocol ImportStore: Sendable {
    func insertImport(_ job: ImportJob, filePath: String, audit: AuditEvent) async throws
    func importJob(workspaceID: String, id: String) async throws -> ImportJob?
    func importJobs(workspaceID: String, limit: Int, afterID: String?) async throws -> [ImportJob]
    /// Imports still queued or running (after a restart, say), with where their uploaded file is.
    func unfinishedImports() async throws -> [(job: ImportJob, filePath: String)]
    /// Takes a queued import to run it (queued → running); false when another process took it first.
    func claimImport(id: String, at: Timestamp) async throws -> Bool
    /// Saves progress; fails (returns false) when the import was cancelled meanwhile, so the runner stops.
    func saveProgress(_ job: ImportJob) async throws -> Bool
    /// Cancels an unfinished import; returns the import as it is now (nil when there is none).
    func cancelImport(workspaceID: String, id: String, at: Timestamp, audit: AuditEvent) async throws -> ImportJob?
}
