import Foundation
import Hummingbird
import SmartMailsApp
import SmartMailsCore

/// Audience → Segments: saved segments with their counts, and the rule builder, whose script asks for a live count
/// as the rule changes (`/app/segments/preview`, the same preview as the API's).
extension DashboardRoutes {
    func segmentsPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in
            guard visitor.scopes.contains(.contactsRead) else { return forbidden(visitor, needs: .contactsRead) }
            let page = try await segments.segments(workspaceID: visitor.workspace.id, page: PageRequest(limit: 100, afterID: nil))
            var rows: [[String: Any]] = []
            for segment in page.items {
                rows.append([
                    "id": segment.id, "name": segment.name, "updated": DashboardFormat.time(segment.updatedAt),
                    "count": try await segments.count(of: segment.rule, workspaceID: visitor.workspace.id),
                ])
            }
            return pages.render("segments", [
                "nav": visitor.navigation(current: "audienceSegments"), "segments": rows, "canWrite": visitor.scopes.contains(.contactsWrite),
            ])
        }
    }

    func segmentEditor(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in
            guard visitor.scopes.contains(.contactsRead) else { return forbidden(visitor, needs: .contactsRead) }
            var segment: Segment?
            if let id = context.parameters.get("id") {
                do {
                    segment = try await segments.segment(id: id, workspaceID: visitor.workspace.id)
                } catch {
                    return pages.message("Not found", "No such segment in this workspace.", status: .notFound, nav: visitor.navigation(current: "audienceSegments"), back: "/app/segments")
                }
            }
            return try await segmentEditor(visitor, segment: segment, name: segment?.name ?? "", rule: segment?.ruleJSON.jsonText ?? "")
        }
    }

    private func segmentEditor(_ visitor: AccountService.Visitor, segment: Segment?, name: String, rule: String, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let allLists = try await lists.lists(workspaceID: visitor.workspace.id, page: PageRequest(limit: 100, afterID: nil)).items
        let listOptions = JSONValue.array(allLists.map { .object(["id": .string($0.list.id), "name": .string($0.list.name)]) }).jsonText
        var context: [String: Any] = [
            "nav": visitor.navigation(current: "audienceSegments"), "csrf": visitor.session.csrfToken, "canWrite": visitor.scopes.contains(.contactsWrite),
            "name": name, "rule": rule, "lists": listOptions, "action": segment.map { "/app/segments/\($0.id)" } ?? "/app/segments",
            "heading": segment == nil ? "New segment" : "Segment: \(segment!.name)",
        ]
        if let segment { context["id"] = segment.id }
        if let error { context["error"] = error }
        return pages.render("segment", context, status: status)
    }

    func previewSegment(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInFetch(request) { visitor in
            guard visitor.scopes.contains(.contactsRead) else { return DashboardPages.json(["error": "Your role cannot read contacts."], status: .forbidden) }
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView)) else {
                return DashboardPages.json(["error": "The rule is not JSON."], status: .badRequest)
            }
            do {
                let (count, page) = try await segments.preview(json, workspaceID: visitor.workspace.id, limit: 5)
                return DashboardPages.json(["count": count, "sample": page.items.map(\.email.address)])
            } catch {
                return DashboardPages.json(["error": Self.explainAudience(error)], status: .unprocessableContent)
            }
        }
    }

    func saveSegment(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, form in
            guard visitor.scopes.contains(.contactsWrite) else { return forbidden(visitor, needs: .contactsWrite) }
            let name = form["name"] ?? ""
            let ruleText = form["rule"] ?? ""
            let id = context.parameters.get("id")
            let actor = visitor.changeActor(ip: clientIP(request, context))
            do {
                guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(ruleText.utf8)) else {
                    throw ValidationError(param: "rule", message: "The rule is not JSON.")
                }
                let saved = if let id {
                    try await segments.update(id: id, name: name, rule: json, workspaceID: visitor.workspace.id, by: actor)
                } else {
                    try await segments.create(name: name, rule: json, workspaceID: visitor.workspace.id, by: actor)
                }
                return DashboardPages.redirect("/app/segments/\(saved.id)")
            } catch {
                let segment = try? await id.asyncMap { try await segments.segment(id: $0, workspaceID: visitor.workspace.id) }
                return try await segmentEditor(visitor, segment: segment ?? nil, name: name, rule: ruleText, error: Self.explainAudience(error), status: .unprocessableContent)
            }
        }
    }

    func deleteSegment(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, _ in
            guard visitor.scopes.contains(.contactsWrite) else { return forbidden(visitor, needs: .contactsWrite) }
            _ = try? await segments.delete(id: context.parameters.get("id") ?? "", workspaceID: visitor.workspace.id, by: visitor.changeActor(ip: clientIP(request, context)))
            return DashboardPages.redirect("/app/segments")
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
