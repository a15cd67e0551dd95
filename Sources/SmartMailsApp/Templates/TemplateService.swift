import Synchronization
import SmartMailsCore
import SmartMailsStore

/// Message templates: saved only when every part compiles (syntax errors name the part, line and column), each
/// change of content a new version; rendered for previews here and for messages at acceptance.
public struct TemplateService: Sendable {
    /// A template's fields as a create or an update gives them; nil leaves a field as it is (on update).
    public struct Fields: Sendable {
        public var name: String?
        public var description: String??
        public var subject: String?
        public var html: String??
        public var text: String??
        public var defaults: [String: JSONValue]?
        public var sampleData: [String: JSONValue]?

        public init(
            name: String? = nil, description: String?? = nil, subject: String? = nil, html: String?? = nil, text: String?? = nil,
            defaults: [String: JSONValue]? = nil, sampleData: [String: JSONValue]? = nil
        ) {
            self.name = name
            self.description = description
            self.subject = subject
            self.html = html
            self.text = text
            self.defaults = defaults
            self.sampleData = sampleData
        }
    }

    /// A template version ready to render messages with.
    public struct Resolved: Sendable {
        public let reference: TemplateReference
        public let compiled: CompiledTemplate
        public let defaults: [String: JSONValue]
    }

    public static let maximumVersionsPage = 100

    let store: any TemplateStore & ContactStore
    /// Compiled versions: a version never changes, so one compiled once serves every later message.
    private let compiled = CompiledCache()

    public init(store: any TemplateStore & ContactStore) {
        self.store = store
    }

    public func create(_ fields: Fields, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> Template {
        let name = try TemplateRules.name(fields.name ?? "")
        let content = try TemplateRules.content(
            subject: fields.subject ?? "", html: fields.html ?? nil, text: fields.text ?? nil, defaults: fields.defaults ?? [:]
        )
        _ = try Self.compile(content)
        let sampleData = fields.sampleData ?? [:]
        try TemplateRules.data(sampleData, param: "sample_data")
        let template = Template(
            id: ResourceID.make(prefix: Template.idPrefix, at: now), workspaceID: workspaceID, name: name,
            description: try TemplateRules.description(fields.description ?? nil), content: content, version: 1, sampleData: sampleData,
            createdAt: now, updatedAt: now
        )
        let audit = actor.audit(.templateCreated, workspaceID: workspaceID, targetType: "template", targetID: template.id, changes: ["name": name], at: now)
        guard try await store.insertTemplate(template, createdBy: actor.id, audit: audit) else { throw TemplateError.nameTaken(name: name) }
        return template
    }

    public func template(id: String, workspaceID: String) async throws -> Template {
        guard ResourceID.isWellFormed(id, prefix: Template.idPrefix), let template = try await store.template(workspaceID: workspaceID, id: id) else {
            throw TemplateError.notFound(id: id)
        }
        return template
    }

    public func templates(workspaceID: String, page: PageRequest) async throws -> Page<Template> {
        Page(rows: try await store.templates(workspaceID: workspaceID, limit: page.limit + 1, afterID: page.afterID), limit: page.limit, id: \.id)
    }

    /// Applies the fields given; a change of subject, a part or the defaults saves the next version.
    public func update(id: String, _ fields: Fields, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> Template {
        let current = try await template(id: id, workspaceID: workspaceID)
        var change = TemplateChange(at: now)
        if let name = fields.name { change.name = try TemplateRules.name(name) }
        if let description = fields.description { change.description = .some(try TemplateRules.description(description)) }
        if let sampleData = fields.sampleData {
            try TemplateRules.data(sampleData, param: "sample_data")
            change.sampleData = sampleData
        }
        if fields.subject != nil || fields.html != nil || fields.text != nil || fields.defaults != nil {
            let content = try TemplateRules.content(
                subject: fields.subject ?? current.content.subject, html: fields.html ?? current.content.html,
                text: fields.text ?? current.content.text, defaults: fields.defaults ?? current.content.defaults
            )
            _ = try Self.compile(content)
            if content != current.content { change.content = content }
        }
        var changed: [String: String] = [:]
        if let name = change.name, name != current.name { changed["name"] = name }
        if change.content != nil { changed["version"] = String(current.version + 1) }
        let audit = actor.audit(.templateUpdated, workspaceID: workspaceID, targetType: "template", targetID: id, changes: changed, at: now)
        switch try await store.updateTemplate(workspaceID: workspaceID, id: id, change: change, createdBy: actor.id, audit: audit) {
        case .updated(let template)?: return template
        case .nameTaken?: throw TemplateError.nameTaken(name: change.name ?? current.name)
        case nil: throw TemplateError.notFound(id: id)
        }
    }

    /// Messages already rendered from it keep their content; new ones can no longer name it.
    public func delete(id: String, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> Template {
        let template = try await template(id: id, workspaceID: workspaceID)
        let audit = actor.audit(.templateDeleted, workspaceID: workspaceID, targetType: "template", targetID: id, changes: ["name": template.name], at: now)
        guard try await store.deleteTemplate(workspaceID: workspaceID, id: id, audit: audit) else { throw TemplateError.notFound(id: id) }
        return template
    }

    /// Newest first; `hasMore` when older versions follow.
    public func versions(id: String, workspaceID: String, limit: Int, beforeVersion: Int?) async throws -> (items: [TemplateVersion], hasMore: Bool) {
        _ = try await template(id: id, workspaceID: workspaceID)
        let rows = try await store.templateVersions(workspaceID: workspaceID, templateID: id, limit: limit + 1, beforeVersion: beforeVersion)
        return (Array(rows.prefix(limit)), rows.count > limit)
    }

    public func version(_ version: Int, of id: String, workspaceID: String) async throws -> TemplateVersion {
        guard ResourceID.isWellFormed(id, prefix: Template.idPrefix) else { throw TemplateError.notFound(id: id) }
        guard let found = try await store.templateVersion(workspaceID: workspaceID, templateID: id, version: version) else {
            _ = try await template(id: id, workspaceID: workspaceID)
            throw TemplateError.versionNotFound(id: id, version: version)
        }
        return found
    }

    /// The template's current version, or the one asked for, compiled.
    public func resolve(id: String, version: Int?, workspaceID: String) async throws -> Resolved {
        let content: TemplateContent
        let number: Int
        if let version {
            content = try await self.version(version, of: id, workspaceID: workspaceID).content
            number = version
        } else {
            let template = try await template(id: id, workspaceID: workspaceID)
            (content, number) = (template.content, template.version)
        }
        let key = "\(workspaceID)/\(id)/\(number)"
        if let cached = compiled.get(key) { return Resolved(reference: TemplateReference(id: id, version: number), compiled: cached, defaults: content.defaults) }
        let template = try Self.compile(content)
        compiled.put(key, template)
        return Resolved(reference: TemplateReference(id: id, version: number), compiled: template, defaults: content.defaults)
    }

    /// Renders a saved template (its current version unless `version` is given) over `data`, or its sample data
    /// when there is none, with `contactID`'s contact as `contact`.
    public func render(
        id: String, version: Int?, data: [String: JSONValue]?, contactID: String?, workspaceID: String
    ) async throws -> (rendered: RenderedTemplate, version: Int) {
        let resolved = try await resolve(id: id, version: version, workspaceID: workspaceID)
        let values: [String: JSONValue]
        if let data {
            try TemplateRules.data(data, param: "data")
            values = data
        } else {
            values = try await template(id: id, workspaceID: workspaceID).sampleData
        }
        var contact: Contact?
        if let contactID {
            guard ResourceID.isWellFormed(contactID, prefix: Contact.idPrefix),
                let found = try await store.contacts(workspaceID: workspaceID, ids: [contactID], emailKeys: []).first
            else { throw ValidationError(param: "contact_id", message: "This workspace has no contact \(contactID.prefix(40)).", code: "contact_not_found") }
            contact = found
        }
        return (try resolved.compiled.render(TemplateVariables.make(data: values, defaults: resolved.defaults, contact: contact)), resolved.reference.version)
    }

    /// Renders unsaved content (the editor's live preview); errors are the ones saving it would give.
    public func preview(subject: String, html: String?, text: String?, defaults: [String: JSONValue], data: [String: JSONValue]) throws -> RenderedTemplate {
        let content = try TemplateRules.content(subject: subject, html: html, text: text, defaults: defaults)
        try TemplateRules.data(data, param: "sample_data")
        return try Self.compile(content).render(TemplateVariables.make(data: data, defaults: content.defaults, contact: nil))
    }

    static func compile(_ content: TemplateContent) throws(TemplateRenderError) -> CompiledTemplate {
        try CompiledTemplate(TemplateSource(subject: content.subject, html: content.html, text: content.text))
    }
}

/// Why a template operation was refused; mapped to the API's error shape in one place.
public enum TemplateError: Error, Equatable, Sendable {
    case notFound(id: String)
    case versionNotFound(id: String, version: Int)
    case nameTaken(name: String)
}

/// A bounded map of compiled template versions; when full it starts over, which costs a compile per version.
private final class CompiledCache: Sendable {
    private static let capacity = 512
    private let entries = Mutex<[String: CompiledTemplate]>([:])

    func get(_ key: String) -> CompiledTemplate? { entries.withLock { $0[key] } }

    func put(_ key: String, _ template: CompiledTemplate) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = template
        }
    }
}
