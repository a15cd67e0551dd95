import SmartMailsAPI
import SmartMailsApp
import SmartMailsCore

extension APIHandler {
    func listAuditEvents(_ input: Operations.ListAuditEvents.Input) async throws -> Operations.ListAuditEvents.Output {
        let caller = try Caller.authenticated()
        // The generated decoder does not enforce the spec's maxLength, which counts code points.
        for (name, value) in [("target_id", input.query.targetId), ("actor", input.query.actor)] {
            if let value, value.unicodeScalars.count > 64 {
                throw APIError.badRequest("invalid_value", "\(name) is an id, at most 64 characters.", param: name)
            }
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
