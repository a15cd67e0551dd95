import OpenAPIRuntime
import SmartMailsAPI
import SmartMailsApp
import SmartMailsCore

extension APIHandler {
    func listTemplates(_ input: Operations.ListTemplates.Input) async throws -> Operations.ListTemplates.Output {
        let caller = try Caller.authenticated()
        let page = try await templates.templates(
            workspaceID: caller.workspaceID, page: try PageCursor.request(limit: input.query.limit, cursor: input.query.cursor, idPrefix: Template.idPrefix)
        )
        return .ok(.init(body: .json(.init(data: try page.items.map(Components.Schemas.Template.init), hasMore: page.hasMore, nextCursor: PageCursor.next(after: page)))))
    }

    func createTemplate(_ input: Operations.CreateTemplate.Input) async throws -> Operations.CreateTemplate.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        let fields = TemplateService.Fields(
            name: body.name, description: .some(body.description.nonEmpty), subject: body.subject, html: .some(body.html.nonEmpty),
            text: .some(body.text.nonEmpty), defaults: try body.defaults.map { try JSONValue.members($0, param: "defaults") },
            sampleData: try body.sampleData.map { try JSONValue.members($0, param: "sample_data") }
        )
        let template = try await templates.create(fields, workspaceID: caller.workspaceID, by: caller.changeActor)
        return .created(.init(body: .json(try .init(template))))
    }

    func getTemplate(_ input: Operations.GetTemplate.Input) async throws -> Operations.GetTemplate.Output {
        let caller = try Caller.authenticated()
        return .ok(.init(body: .json(try .init(try await templates.template(id: input.path.id, workspaceID: caller.workspaceID)))))
    }

    func updateTemplate(_ input: Operations.UpdateTemplate.Input) async throws -> Operations.UpdateTemplate.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        // An empty string clears a clearable field, as contacts' PATCH does; left out, it stays.
        let fields = TemplateService.Fields(
            name: body.name, description: body.description.map(\.nonEmpty), subject: body.subject, html: body.html.map(\.nonEmpty),
            text: body.text.map(\.nonEmpty), defaults: try body.defaults.map { try JSONValue.members($0, param: "defaults") },
            sampleData: try body.sampleData.map { try JSONValue.members($0, param: "sample_data") }
        )
        let template = try await templates.update(id: input.path.id, fields, workspaceID: caller.workspaceID, by: caller.changeActor)
        return .ok(.init(body: .json(try .init(template))))
    }

    func deleteTemplate(_ input: Operations.DeleteTemplate.Input) async throws -> Operations.DeleteTemplate.Output {
        let caller = try Caller.authenticated()
        let template = try await templates.delete(id: input.path.id, workspaceID: caller.workspaceID, by: caller.changeActor)
        return .ok(.init(body: .json(.init(id: template.id, object: "template", deleted: true))))
    }

    func listTemplateVersions(_ input: Operations.ListTemplateVersions.Input) async throws -> Operations.ListTemplateVersions.Output {
        let caller = try Caller.authenticated()
        let before = try input.query.cursor.map { cursor throws(APIError) -> Int in
            guard let number = Int(cursor), number >= 1 else {
                throw APIError.badRequest("invalid_cursor", "cursor must be the next_cursor of the previous page, a version number.", param: "cursor")
            }
            return number
        }
        let limit = try PageCursor.limit(input.query.limit)
        let page = try await templates.versions(id: input.path.id, workspaceID: caller.workspaceID, limit: limit, beforeVersion: before)
        return .ok(.init(body: .json(.init(
            data: try page.items.map(Components.Schemas.TemplateVersion.init), hasMore: page.hasMore,
            nextCursor: page.hasMore ? page.items.last.map { String($0.version) } : nil
        ))))
    }

    func getTemplateVersion(_ input: Operations.GetTemplateVersion.Input) async throws -> Operations.GetTemplateVersion.Output {
        let caller = try Caller.authenticated()
        let version = try await templates.version(input.path.version, of: input.path.id, workspaceID: caller.workspaceID)
        return .ok(.init(body: .json(try .init(version))))
    }

    func renderTemplate(_ input: Operations.RenderTemplate.Input) async throws -> Operations.RenderTemplate.Output {
        let caller = try Caller.authenticated()
        var request: Components.Schemas.RenderTemplateRequest?
        if case .json(let body)? = input.body { request = body }
        let (rendered, version) = try await templates.render(
            id: input.path.id, version: request?.version, data: try request?.data.map { try JSONValue.members($0, param: "data") },
            contactID: request?.contactId, workspaceID: caller.workspaceID
        )
        return .ok(.init(body: .json(.init(
            object: .renderedTemplate, templateId: input.path.id, version: version, subject: rendered.subject, html: rendered.html, text: rendered.text
        ))))
    }
}

extension Components.Schemas.Template {
    init(_ template: Template) throws {
        self.init(
            id: template.id, object: .template, name: template.name, description: template.description, subject: template.content.subject,
            html: template.content.html, text: template.content.text, defaults: try .init(template.content.defaults),
            sampleData: try .init(template.sampleData), version: template.version, createdAt: template.createdAt.date,
            updatedAt: template.updatedAt.date
        )
    }
}

extension Components.Schemas.TemplateVersion {
    init(_ version: TemplateVersion) throws {
        self.init(
            object: .templateVersion, templateId: version.templateID, version: version.version, subject: version.content.subject,
            html: version.content.html, text: version.content.text, defaults: try .init(version.content.defaults),
            createdAt: version.createdAt.date, createdBy: version.createdBy
        )
    }
}

extension JSONValue {
    /// The members of a free-form object from the generated types (template data, defaults).
    static func members(_ data: Components.Schemas.TemplateData, param: String) throws -> [String: JSONValue] {
        guard case .object(let members) = try JSONValue(data.additionalProperties, param: param) else { return [:] }
        return members
    }
}

extension Optional<String> {
    /// nil for an absent or empty string: the wire's way of leaving out or clearing a part.
    fileprivate var nonEmpty: String? { self.flatMap(\.nonEmpty) }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}

extension Components.Schemas.TemplateData {
    init(_ members: [String: JSONValue]) throws {
        self.init(additionalProperties: try OpenAPIObjectContainer(.object(members)))
    }
}
