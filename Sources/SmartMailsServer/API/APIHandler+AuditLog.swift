import SmartMailsAPI
import SmartMailsCore
import SmartMailsStore

extension APIHandler {
    func listAuditEvents(_ input: Operations.ListAuditEvents.Input) async throws -> Operations.ListAuditEvents.Output {
        let caller = try Caller.require(.auditRead)
        let limit = try PageCursor.limit(input.query.limit)
        let after = try PageCursor.decode(input.query.cursor, idPrefix: AuditEvent.idPrefix)
        let rows = try await storage.auditEvents(
            workspaceID: caller.workspaceID, limit: limit + 1, afterID: after, targetID: input.query.targetId
        )
        let page = rows.prefix(limit)
        let hasMore = rows.count > limit
        let body = Components.Schemas.AuditEventList(
            data: page.map { .init($0) }, hasMore: hasMore,
            nextCursor: hasMore ? page.last.map { PageCursor.encode(lastID: $0.id) } : nil
        )
        return .ok(.init(body: .json(body)))
    }
}
