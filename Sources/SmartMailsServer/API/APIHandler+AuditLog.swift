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
        let page = PageCursor.page(rows, limit: limit, id: \.id)
        let body = Components.Schemas.AuditEventList(data: page.items.map { .init($0) }, hasMore: page.hasMore, nextCursor: page.nextCursor)
        return .ok(.init(body: .json(body)))
    }
}
