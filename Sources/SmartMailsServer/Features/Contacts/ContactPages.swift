import Foundation
import Hummingbird
import SmartMailsApp
import SmartMailsCore
import SmartMailsStore

/// Audience → Contacts: search and filters, a contact's page (attributes, lists, consent, history), adding and
/// erasing, and a CSV download of what is shown. Through `ContactService`, as the API.
extension DashboardRoutes {
    func contactList(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in try await contactList(request, visitor) }
    }

    private func contactQuery(_ request: Request) -> ContactQuery {
        let query = request.uri.queryParameters
        func value(_ name: Substring) -> String? { query[name].map(String.init).flatMap { $0.isEmpty ? nil : String($0.prefix(254)) } }
        return ContactQuery(
            emailPrefix: value("q"), tag: value("tag"), status: value("status").flatMap(ContactStatus.init(rawValue:)),
            listID: value("list"), segmentID: value("segment")
        )
    }

    private func contactList(_ request: Request, _ visitor: AccountService.Visitor, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard visitor.scopes.contains(.contactsRead) else { return forbidden(visitor, needs: .contactsRead) }
        let query = contactQuery(request)
        let cursor = request.uri.queryParameters["cursor"].map(String.init).flatMap { ResourceID.isWellFormed($0, prefix: Contact.idPrefix) ? $0 : nil }
        var context: [String: Any] = [
            "nav": visitor.navigation(current: "audienceContacts"), "csrf": visitor.session.csrfToken, "canWrite": visitor.scopes.contains(.contactsWrite),
            "q": query.emailPrefix ?? "", "tag": query.tag ?? "",
            "statuses": ContactStatus.allCases.map { ["value": $0.rawValue, "selected": $0 == query.status] as [String: Any] },
        ]
        let allLists = try await lists.lists(workspaceID: visitor.workspace.id, page: PageRequest(limit: 100, afterID: nil)).items
        let allSegments = try await segments.segments(workspaceID: visitor.workspace.id, page: PageRequest(limit: 100, afterID: nil)).items
        context["lists"] = allLists.map { ["id": $0.list.id, "name": $0.list.name, "selected": $0.list.id == query.listID] as [String: Any] }
        context["segments"] = allSegments.map { ["id": $0.id, "name": $0.name, "selected": $0.id == query.segmentID] as [String: Any] }
        do {
            let page = try await contacts.list(workspaceID: visitor.workspace.id, query: query, page: PageRequest(limit: 50, afterID: cursor))
            let total = try await contacts.count(workspaceID: visitor.workspace.id, query: query)
            context["total"] = total
            context["contacts"] = page.items.map { contact -> [String: Any] in
                [
                    "id": contact.id, "email": contact.email.address,
                    "name": [contact.firstName, contact.lastName].compactMap { $0 }.joined(separator: " "),
                    "status": contact.status.rawValue, "tags": contact.tags.joined(separator: ", "), "updated": DashboardFormat.time(contact.updatedAt),
                ]
            }
            let filters = filterItems(query)
            context["exportLink"] = link("/app/contacts/export", filters)
            if let last = page.lastID { context["next"] = link("/app/contacts", filters + [URLQueryItem(name: "cursor", value: last)]) }
        } catch let failure as ContactError {
            context["error"] = Self.explainAudience(failure)
            context["contacts"] = [[String: Any]]()
        }
        if let error { context["error"] = error }
        return pages.render("contacts", context, status: status)
    }

    private func filterItems(_ query: ContactQuery) -> [URLQueryItem] {
        [("q", query.emailPrefix), ("tag", query.tag), ("status", query.status?.rawValue), ("list", query.listID), ("segment", query.segmentID)]
            .compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
    }

    func link(_ path: String, _ items: [URLQueryItem]) -> String {
        var components = URLComponents()
        components.path = path
        components.queryItems = items.isEmpty ? nil : items
        return components.string ?? path
    }

    func createContact(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, form in
            guard visitor.scopes.contains(.contactsWrite) else { return forbidden(visitor, needs: .contactsWrite) }
            do {
                var changes = ContactChanges()
                changes.email = try ContactEmail.parse(form["email"] ?? "")
                if let first = form["first_name"], !first.isEmpty { changes.firstName = try ContactChanges.name(first, param: "first_name") }
                if let last = form["last_name"], !last.isEmpty { changes.lastName = try ContactChanges.name(last, param: "last_name") }
                let contact = try await contacts.create(changes, workspaceID: visitor.workspace.id, by: visitor.changeActor(ip: clientIP(request, context)))
                return DashboardPages.redirect("/app/contacts/\(contact.id)")
            } catch {
                return try await contactList(request, visitor, error: Self.explainAudience(error), status: .unprocessableContent)
            }
        }
    }

    func exportContacts(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in
            guard visitor.scopes.contains(.contactsRead) else { return forbidden(visitor, needs: .contactsRead) }
            let chunks = try await ContactExportFormat.lines(.csv, contacts: contacts, workspaceID: visitor.workspace.id, query: contactQuery(request))
            var headers = DashboardPages.securityHeaders
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"contacts.csv\""
            return Response(status: .ok, headers: headers, body: ResponseBody(asyncSequence: chunks.map { ByteBuffer(string: $0) }))
        }
    }

    func contactPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in
            guard visitor.scopes.contains(.contactsRead) else { return forbidden(visitor, needs: .contactsRead) }
            let details: ContactService.Details
            do {
                details = try await contacts.details(id: context.parameters.get("id") ?? "", workspaceID: visitor.workspace.id)
            } catch is ContactError {
                return pages.message("Not found", "No such contact in this workspace.", status: .notFound, nav: visitor.navigation(current: "audienceContacts"), back: "/app/contacts")
            }
            let contact = details.contact
            var page: [String: Any] = [
                "nav": visitor.navigation(current: "audienceContacts"), "csrf": visitor.session.csrfToken, "canWrite": visitor.scopes.contains(.contactsWrite),
                "id": contact.id, "email": contact.email.address,
                "fields": [
                    ("First name", contact.firstName), ("Last name", contact.lastName), ("External id", contact.externalID),
                    ("Tags", contact.tags.isEmpty ? nil : contact.tags.joined(separator: ", ")), ("Time zone", contact.timeZone),
                    ("Locale", contact.locale), ("Status", contact.status.rawValue),
                    ("Created", DashboardFormat.time(contact.createdAt)), ("Updated", DashboardFormat.time(contact.updatedAt)),
                ].map { ["name": $0.0, "value": $0.1 ?? "—"] },
                "attributes": contact.attributes.values.keys.sorted().map { ["name": $0, "value": contact.attributes[$0]!.text, "type": contact.attributes[$0]!.kind.rawValue] },
                "memberships": details.memberships.map { ["id": $0.listID, "name": $0.listName, "state": $0.state.rawValue, "since": DashboardFormat.time($0.updatedAt)] },
                "history": details.history.map { ["at": DashboardFormat.time($0.occurredAt), "kind": $0.kind.replacingOccurrences(of: "_", with: " "), "detail": $0.detail] },
            ]
            if let consent = contact.consent {
                page["consent"] = ["source": consent.source, "at": DashboardFormat.time(consent.at), "ip": consent.ip ?? "—", "text": consent.text ?? "—"]
            }
            return pages.render("contact", page)
        }
    }

    func eraseContact(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, _ in
            guard visitor.scopes.contains(.contactsWrite) else { return forbidden(visitor, needs: .contactsWrite) }
            do {
                let erased = try await contacts.erase(id: context.parameters.get("id") ?? "", workspaceID: visitor.workspace.id, by: visitor.changeActor(ip: clientIP(request, context)))
                let kept = erased.status.isSuppression ? " Only a hash of the address is kept, so it is never mailed again." : ""
                return pages.message("Erased", "The contact's data is gone.\(kept)", status: .ok, nav: visitor.navigation(current: "audienceContacts"), back: "/app/contacts")
            } catch {
                return pages.message("Not found", "No such contact in this workspace.", status: .notFound, nav: visitor.navigation(current: "audienceContacts"), back: "/app/contacts")
            }
        }
    }

    /// What a refused audience change says on a page.
    static func explainAudience(_ error: any Error) -> String {
        switch error {
        case let error as ValidationError: "\(error.param): \(error.message)"
        case let error as ContactError:
            switch error {
            case .notFound(let kind, let id): "No \(kind) \(id) in this workspace."
            case .rejected(_, _, let message), .unreadableFile(let message): message
            case .invalidRule(let error): "\(error.path): \(error.message)"
            case .batchTooLarge(let count, let maximum): "At most \(maximum) at once; this was \(count)."
            case .importFinished(let id, let status): "Import \(id) is \(status) already."
            case .fileTooLarge(let maximum): "The file is larger than \(maximum) bytes."
            }
        default: "Something went wrong; the server log has the details."
        }
    }
}
