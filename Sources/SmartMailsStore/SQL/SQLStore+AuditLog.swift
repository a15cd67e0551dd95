import SQLKit
import SmartMailsCore

extension SQLStore: AuditLogStore {
    public func auditEvents(workspaceID: String, limit: Int, afterID: String?, targetID: String?, actor: String?, action: AuditAction?) async throws -> [AuditEvent] {
        try await client.withReader { database in
            var query = SQLQueryString("SELECT * FROM audit_log WHERE workspace_id = \(bind: workspaceID)")
            if let afterID { query.appendInterpolation(unsafeRaw: " AND id < "); query.appendInterpolation(bind: afterID) }
            if let targetID { query.appendInterpolation(unsafeRaw: " AND target_id = "); query.appendInterpolation(bind: targetID) }
            if let actor { query.appendInterpolation(unsafeRaw: " AND actor = "); query.appendInterpolation(bind: actor) }
            if let action { query.appendInterpolation(unsafeRaw: " AND action = "); query.appendInterpolation(bind: action.rawValue) }
            query.appendInterpolation(unsafeRaw: " ORDER BY id DESC LIMIT \(limit)")
            return try await database.raw(query).all().map { row in
                AuditEvent(
                    id: try row.string("id"), workspaceID: try row.string("workspace_id"),
                    occurredAt: try row.timestamp("occurred_at"), actor: try row.string("actor"),
                    action: try row.decoded("action", table: "audit_log", as: AuditAction.init(rawValue:)),
                    targetType: try row.string("target_type"), targetID: try row.string("target_id"),
                    ip: try row.optionalString("ip"), changes: try AuditChangesCoding.decode(try row.string("changes"))
                )
            }
        }
    }
}
