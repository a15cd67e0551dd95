import SmartMailsAPI
import SmartMailsApp
import SmartMailsCore

extension APIHandler {
    func listAuditEvents(_ input: Operations.ListAuditEvents.Input) async throws -> Operations.ListAuditEvents.Output {
        let caller = try Caller.authenticated()
        if let targetID = input.query.targetId, targetID.utf8.count > 64 {
            throw APIError.badRequest("invalid_value", "target_id is an object id, at most 64 characters.", param: "target_id")
        }
        let page = try await auditLog.list(
            workspaceID: caller.workspaceID,
            page: try PageCursor.request(limit: input.query.limit, cursor: input.query.cursor, idPrefix: AuditEvent.idPrefix),
            targetID: input.query.targetId, actor: input.query.actor,
            action: input.query.action.flatMap { AuditAction(rawValue: $0.rawValue) }
        )
        let events = try page.items.map { event throws(APIError) in try Components.Schemas.AuditEvent(event) }
        let body = Components.Schemas.AuditEventList(data: events, hasMore: page.hasMore, nextCursor: PageCursor.next(after: page))
        return .ok(.init(body: .json(body)))
    }
}
