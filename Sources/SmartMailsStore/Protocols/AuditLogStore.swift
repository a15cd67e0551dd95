import SmartMailsCore

/// The append-only audit trail.
public protocol AuditLogStore: Sendable {
    /// Entries newest first; `afterID` continues a previous page; `targetID`, `actor` and `action` narrow them.
    func auditEvents(workspaceID: String, limit: Int, afterID: String?, targetID: String?, actor: String?, action: AuditAction?) async throws -> [AuditEvent]
}

extension AuditLogStore {
    public func auditEvents(workspaceID: String, limit: Int, afterID: String?, targetID: String?) async throws -> [AuditEvent] {
        try await auditEvents(workspaceID: workspaceID, limit: limit, afterID: afterID, targetID: targetID, actor: nil, action: nil)
    }
}
