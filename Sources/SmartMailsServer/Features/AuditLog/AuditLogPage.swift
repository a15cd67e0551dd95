import Foundation
import Hummingbird
import SmartMailsApp
import SmartMailsCore

/// Settings → Audit log: the workspace's entries, newest first, filtered by actor, action and object.
extension DashboardRoutes {
    func auditPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in
            guard visitor.scopes.contains(.auditRead) else { return forbidden(visitor, needs: .auditRead) }
            let query = request.uri.queryParameters
            let actor = query["actor"].map(String.init).flatMap { $0.isEmpty ? nil : String($0.prefix(64)) }
            let target = query["target"].map(String.init).flatMap { $0.isEmpty ? nil : String($0.prefix(64)) }
            let action = query["action"].flatMap { AuditAction(rawValue: String($0)) }
            let cursor = query["cursor"].map(String.init).flatMap { ResourceID.isWellFormed($0, prefix: AuditEvent.idPrefix) ? $0 : nil }
            let page = try await auditLog.list(
                workspaceID: visitor.workspace.id, page: PageRequest(limit: 50, afterID: cursor), targetID: target, actor: actor, action: action
            )
            let names = try await actorNames(for: page.items.flatMap { [$0.actor, $0.targetID] }, in: visitor.workspace.id)
            let events = page.items.map { event -> [String: Any] in
                [
                    "occurred": DashboardFormat.time(event.occurredAt), "action": event.action.rawValue, "actor": names[event.actor],
                    "target": names[event.targetID], "ip": event.ip ?? "—",
                    "changes": event.changes.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "),
                ]
            }
            var next: String?
            if let last = page.lastID {
                var components = URLComponents()
                components.path = "/app/audit-log"
                components.queryItems = [("actor", actor), ("action", action?.rawValue), ("target", target), ("cursor", last)]
                    .compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
                next = components.string
            }
            var context: [String: Any] = [
                "nav": visitor.navigation(current: "audit"), "events": events, "actor": actor ?? "", "target": target ?? "",
                "actions": AuditAction.allCases.map { ["value": $0.rawValue, "selected": $0 == action] as [String: Any] },
            ]
            if let next { context["next"] = next }
            return pages.render("audit", context)
        }
    }
}
