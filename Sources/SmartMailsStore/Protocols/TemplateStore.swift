import SmartMailsCore

/// A workspace's message templates and every version of each.
public protocol TemplateStore: Sendable {
    /// Inserts the template and its first version; false when the workspace has a template of that name already.
    func insertTemplate(_ template: Template, createdBy: String, audit: AuditEvent) async throws -> Bool
    /// By id (oldest first).
    func templates(workspaceID: String, limit: Int, afterID: String?) async throws -> [Template]
    func template(workspaceID: String, id: String) async throws -> Template?
    /// Applies `change`; new content is saved as the next version. Nil when there is no such template.
    func updateTemplate(workspaceID: String, id: String, change: TemplateChange, createdBy: String, audit: AuditEvent) async throws -> TemplateUpdateOutcome?
    func deleteTemplate(workspaceID: String, id: String, audit: AuditEvent) async throws -> Bool
    /// Newest first, before `beforeVersion` when given.
    func templateVersions(workspaceID: String, templateID: String, limit: Int, beforeVersion: Int?) async throws -> [TemplateVersion]
    func templateVersion(workspaceID: String, templateID: String, version: Int) async throws -> TemplateVersion?
}

/// What an update sets; nil leaves a field as it is.
public struct TemplateChange: Sendable {
    public var name: String?
    /// `.some(nil)` clears it.
    public var description: String??
    public var content: TemplateContent?
    public var sampleData: [String: JSONValue]?
    public var at: Timestamp

    public init(name: String? = nil, description: String?? = nil, content: TemplateContent? = nil, sampleData: [String: JSONValue]? = nil, at: Timestamp) {
        self.name = name
        self.description = description
        self.content = content
        self.sampleData = sampleData
        self.at = at
    }
}

public enum TemplateUpdateOutcome: Sendable, Equatable {
    case updated(Template)
    case nameTaken
}
