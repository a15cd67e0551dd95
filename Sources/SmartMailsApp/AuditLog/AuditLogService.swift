import SmartMailsCore
import SmartMailsStore

/// Reads the workspace's audit trail; entries are written by the services that make the changes.
public struct AuditLogService: Sendable {
    let store: any AuditLogStore

    public init(store: any AuditLogStore) {
        self.store = store
    }

    /// A page of entries, newest first, optionally only those about `targetID`, by `actor`, or of one `action`.
    public func list(workspaceID: String, page: PageRequest, targetID: String?, actor: String? = nil, action: AuditAction? = nil) async throws -> Page<AuditEvent> {
        let rows = try await store.auditEvents(
            workspaceID: workspaceID, limit: page.limit + 1, afterID: page.afterID, targetID: targetID, actor: actor, action: action
        )
        return Page(rows: rows, limit: page.limit, id: \.id)
    }
}
