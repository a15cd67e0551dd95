import Foundation
import HTTPTypes
import Hummingbird
import SmartMailsApp
import SmartMailsCore

/// Sending → Templates: the list, and the editor with its versions and a live preview. The preview is a document
/// of its own (the editor's form posted into a frame), so that the mail's inline styles and images show while its
/// scripts, forms and links stay dead: it is sandboxed by its own Content-Security-Policy.
extension DashboardRoutes {
    /// Parts of up to 512 KiB each, URL-encoded (up to three bytes per byte).
    static let templateFormLimit = 6 << 20

    func addTemplateRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.get("app/templates") { request, context in try await templatesPage(request, context) }
        router.get("app/templates/new") { request, context in try await templateEditor(request, context) }
        router.post("app/templates") { request, context in try await saveTemplate(request, context) }
        router.post("app/templates/preview") { request, context in try await previewTemplate(request, context) }
        router.get("app/templates/:id") { request, context in try await templateEditor(request, context) }
        router.post("app/templates/:id") { request, context in try await saveTemplate(request, context) }
        router.post("app/templates/:id/delete") { request, context in try await deleteTemplate(request, context) }
    }

    func templatesPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in
            guard visitor.scopes.contains(.templatesRead) else { return forbidden(visitor, needs: .templatesRead) }
            let cursor = request.uri.queryParameters.get("after").flatMap { ResourceID.isWellFormed($0, prefix: Template.idPrefix) ? String($0) : nil }
            let page = try await templates.templates(workspaceID: visitor.workspace.id, page: PageRequest(limit: 100, afterID: cursor))
            return pages.render("templates", [
                "nav": visitor.navigation(current: "sendingTemplates"), "canWrite": visitor.scopes.contains(.templatesWrite),
                "templates": page.items.map { template -> [String: Any] in
                    [
                        "id": template.id, "name": template.name, "description": template.description ?? "", "subject": template.content.subject,
                        "version": template.version, "updated": DashboardFormat.time(template.updatedAt),
                    ]
                },
                "next": page.lastID.map { "/app/templates?after=\($0)" } as Any,
            ])
        }
    }

    func templateEditor(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in
            guard visitor.scopes.contains(.templatesRead) else { return forbidden(visitor, needs: .templatesRead) }
            guard let id = context.parameters.get("id") else {
                return try await templateEditor(visitor, template: nil, form: TemplateForm(subject: "", html: "", text: "", defaults: "{}", sampleData: "{}"))
            }
            do {
                let template = try await templates.template(id: id, workspaceID: visitor.workspace.id)
                var form = TemplateForm(template)
                var shown: Int?
                // An older version's content fills the form: saving it makes it the newest version again.
                if let asked = request.uri.queryParameters.get("version").flatMap({ Int($0) }), asked != template.version {
                    form.content(of: try await templates.version(asked, of: id, workspaceID: visitor.workspace.id))
                    shown = asked
                }
                return try await templateEditor(visitor, template: template, form: form, shownVersion: shown)
            } catch is TemplateError {
                return pages.message("Not found", "No such template or version in this workspace.", status: .notFound, nav: visitor.navigation(current: "sendingTemplates"), back: "/app/templates")
            }
        }
    }

    private func templateEditor(
        _ visitor: AccountService.Visitor, template: Template?, form: TemplateForm, shownVersion: Int? = nil, error: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var context: [String: Any] = [
            "nav": visitor.navigation(current: "sendingTemplates"), "csrf": visitor.session.csrfToken, "canWrite": visitor.scopes.contains(.templatesWrite),
            "name": form.name, "description": form.description, "subject": form.subject, "html": form.html, "text": form.text,
            "defaults": form.defaults, "sampleData": form.sampleData, "action": template.map { "/app/templates/\($0.id)" } ?? "/app/templates",
            "heading": template.map { "Template: \($0.name)" } ?? "New template",
        ]
        if let template {
            context["id"] = template.id
            context["version"] = template.version
            let versions = try await templates.versions(id: template.id, workspaceID: visitor.workspace.id, limit: 20, beforeVersion: nil)
            context["versions"] = versions.items.map { version -> [String: Any] in
                [
                    "number": version.version, "created": DashboardFormat.time(version.createdAt), "by": version.createdBy,
                    "current": version.version == template.version, "shown": version.version == (shownVersion ?? template.version),
                    "link": "/app/templates/\(template.id)?version=\(version.version)",
                ]
            }
        }
        if let shownVersion { context["shownVersion"] = shownVersion }
        if let error { context["error"] = error }
        return pages.render("template", context, status: status)
    }

    func saveTemplate(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request, limit: Self.templateFormLimit) { visitor, body in
            guard visitor.scopes.contains(.templatesWrite) else { return forbidden(visitor, needs: .templatesWrite) }
            let form = TemplateForm(body)
            let id = context.parameters.get("id")
            let actor = visitor.changeActor(ip: clientIP(request, context))
            do {
                var fields = TemplateService.Fields(
                    name: form.name, description: .some(form.description.nilIfEmpty), subject: form.subject, html: .some(form.html.nilIfEmpty),
                    text: .some(form.text.nilIfEmpty)
                )
                fields.defaults = try TemplateForm.object(form.defaults, param: "defaults")
                fields.sampleData = try TemplateForm.object(form.sampleData, param: "sample_data")
                let saved = if let id {
                    try await templates.update(id: id, fields, workspaceID: visitor.workspace.id, by: actor)
                } else {
                    try await templates.create(fields, workspaceID: visitor.workspace.id, by: actor)
                }
                return DashboardPages.redirect("/app/templates/\(saved.id)")
            } catch let error as TemplateError where error == .notFound(id: id ?? "") {
                return pages.message("Not found", "No such template in this workspace.", status: .notFound, nav: visitor.navigation(current: "sendingTemplates"), back: "/app/templates")
            } catch {
                let template = try? await id.asyncMap { try await templates.template(id: $0, workspaceID: visitor.workspace.id) }
                return try await templateEditor(visitor, template: template ?? nil, form: form, error: Self.explainTemplate(error), status: .unprocessableContent)
            }
        }
    }

    /// The editor's form posted into the preview frame: the rendered subject, HTML and text over the sample data.
    func previewTemplate(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request, limit: Self.templateFormLimit) { visitor, body in
            guard visitor.scopes.contains(.templatesRead) else { return forbidden(visitor, needs: .templatesRead) }
            let form = TemplateForm(body)
            var page: [String: Any]
            do {
                let rendered = try templates.preview(
                    subject: form.subject, html: form.html.nilIfEmpty, text: form.text.nilIfEmpty,
                    defaults: try TemplateForm.object(form.defaults, param: "defaults"), data: try TemplateForm.object(form.sampleData, param: "sample_data")
                )
                page = ["subject": rendered.subject, "text": rendered.text ?? ""]
                if let html = rendered.html { page["html"] = html; page["hasHTML"] = true }
            } catch {
                page = ["error": Self.explainTemplate(error)]
            }
            var response = pages.render("template-preview", page)
            // Its own document: inline styles and images as a mail client shows them; no script, form or plugin, no
            // origin of ours (`sandbox`), and framed by the editor only.
            response.headers[.contentSecurityPolicy] =
                "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-src 'self'; sandbox; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
            response.headers[HTTPField.Name("X-Frame-Options")!] = "SAMEORIGIN"
            return response
        }
    }

    func deleteTemplate(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, _ in
            guard visitor.scopes.contains(.templatesWrite) else { return forbidden(visitor, needs: .templatesWrite) }
            _ = try? await templates.delete(id: context.parameters.get("id") ?? "", workspaceID: visitor.workspace.id, by: visitor.changeActor(ip: clientIP(request, context)))
            return DashboardPages.redirect("/app/templates")
        }
    }

    static func explainTemplate(_ error: any Error) -> String {
        switch error {
        case let error as TemplateRenderError: error.message
        case let error as ValidationError: "\(error.param): \(error.message)"
        case TemplateError.nameTaken(let name): "This workspace has a template named \(name) already."
        case TemplateError.notFound, TemplateError.versionNotFound: "No such template or version in this workspace."
        default: "The template could not be saved."
        }
    }
}

/// The editor's fields as text, as the form posts them and the page shows them back.
struct TemplateForm {
    var name = ""
    var description = ""
    var subject: String
    var html: String
    var text: String
    var defaults: String
    var sampleData: String

    init(name: String = "", description: String = "", subject: String, html: String, text: String, defaults: String, sampleData: String) {
        (self.name, self.description, self.subject, self.html, self.text) = (name, description, subject, html, text)
        (self.defaults, self.sampleData) = (defaults, sampleData)
    }

    init(_ template: Template) {
        self.init(
            name: template.name, description: template.description ?? "", subject: "", html: "", text: "", defaults: "{}",
            sampleData: JSONValue.object(template.sampleData).jsonText
        )
        content(of: TemplateVersion(templateID: template.id, version: template.version, content: template.content, createdAt: template.updatedAt, createdBy: ""))
    }

    init(_ form: DashboardForm) {
        self.init(
            name: form["name"] ?? "", description: form["description"] ?? "", subject: form["subject"] ?? "", html: form["html"] ?? "",
            text: form["text"] ?? "", defaults: form["defaults"] ?? "", sampleData: form["sample_data"] ?? ""
        )
    }

    mutating func content(of version: TemplateVersion) {
        subject = version.content.subject
        html = version.content.html ?? ""
        text = version.content.text ?? ""
        defaults = JSONValue.object(version.content.defaults).jsonText
    }

    /// A JSON object typed into a textarea; empty is `{}`.
    static func object(_ text: String, param: String) throws(ValidationError) -> [String: JSONValue] {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [:] }
        guard case .object(let members)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            throw ValidationError(param: param, message: "\(param) must be a JSON object, such as {\"order\": {\"number\": \"1042\"}}.")
        }
        return members
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
