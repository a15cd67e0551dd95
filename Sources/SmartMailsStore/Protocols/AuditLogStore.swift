import SmartMailsCore

/// The append-only audit trail.
public protocol AuditLogStore: Sendable {
    /// Entries newest first; `afterID` continues a previous page; `targetID` narrows to one object.
    func auditEvents(workspaceID: String, limit: Int, afterID: String?, targetID: String?) async throws -> [AuditEvent]
}
