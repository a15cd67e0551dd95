import SmartMailsAPI
import SmartMailsApp
import SmartMailsCore

extension APIHandler {
    func listAuditEvents(_ input: Operations.ListAuditEvents.Input) async throws -> Operations.ListAuditEvents.Output {
        let caller = try Caller.authenticated()
        let page = try await auditLog.list(
            workspaceID: caller.workspaceID,
            page: try PageCursor.request(limit: input.query.limit, cursor: input.query.cursor, idPrefix: AuditEvent.idPrefix),
            targetID: input.query.targetId
        )
        let body = Components.Schemas.AuditEventList(data: page.items.map { .init($0) }, hasMore: page.hasMore, nextCursor: PageCursor.next(after: page))
        return .ok(.init(body: .json(body)))
    }
}
