import Hummingbird
import SmartMailsApp
import SmartMailsCore

/// Audience → Lists: every list with its members by state, making and deleting lists. Members are the contacts
/// page filtered by the list.
extension DashboardRoutes {
    func listsPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in try await listsPage(visitor) }
    }

    private func listsPage(_ visitor: AccountService.Visitor, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard visitor.scopes.contains(.contactsRead) else { return forbidden(visitor, needs: .contactsRead) }
        var all: [ListSummary] = []
        var after: String?
        repeat {
            let page = try await lists.lists(workspaceID: visitor.workspace.id, page: PageRequest(limit: 100, afterID: after))
            all += page.items
            after = page.lastID
        } while after != nil && all.count < 1000
        var context: [String: Any] = [
            "nav": visitor.navigation(current: "audienceLists"), "csrf": visitor.session.csrfToken, "canWrite": visitor.scopes.contains(.contactsWrite),
            "lists": all.map { summary -> [String: Any] in
                [
                    "id": summary.list.id, "name": summary.list.name, "description": summary.list.description ?? "",
                    "subscribed": summary.counts.subscribed, "unsubscribed": summary.counts.unsubscribed, "pending": summary.counts.pending,
                    "created": DashboardFormat.time(summary.list.createdAt), "csrf": visitor.session.csrfToken,
                    "canWrite": visitor.scopes.contains(.contactsWrite),
                ]
            },
        ]
        if let error { context["error"] = error }
        return pages.render("lists", context, status: status)
    }

    func createList(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, form in
            guard visitor.scopes.contains(.contactsWrite) else { return forbidden(visitor, needs: .contactsWrite) }
            do {
                _ = try await lists.create(
                    name: form["name"] ?? "", description: form["description"].flatMap { $0.isEmpty ? nil : $0 }, workspaceID: visitor.workspace.id,
                    by: visitor.changeActor(ip: clientIP(request, context))
                )
                return DashboardPages.redirect("/app/lists")
            } catch {
                return try await listsPage(visitor, error: Self.explainAudience(error), status: .unprocessableContent)
            }
        }
    }

    func deleteList(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, _ in
            guard visitor.scopes.contains(.contactsWrite) else { return forbidden(visitor, needs: .contactsWrite) }
            do {
                _ = try await lists.delete(id: context.parameters.get("id") ?? "", workspaceID: visitor.workspace.id, by: visitor.changeActor(ip: clientIP(request, context)))
                return DashboardPages.redirect("/app/lists")
            } catch {
                return try await listsPage(visitor, error: Self.explainAudience(error), status: .notFound)
            }
        }
    }
}
