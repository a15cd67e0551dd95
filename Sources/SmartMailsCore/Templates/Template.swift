import Foundation

/// A message template: its Mustache parts and defaults as of its current version. Every change of content makes a
/// new version (`TemplateVersion`); a message records the version it was rendered from.
public struct Template: Sendable, Equatable {
    public static let idPrefix = "tpl"

    public let id: String
    public let workspaceID: String
    /// Unique in the workspace; how people tell templates apart.
    public var name: String
    public var description: String?
    public var content: TemplateContent
    /// The version `content` is; 1 for a new template.
    public var version: Int
    /// What the editor's preview and `render` use when given no data.
    public var sampleData: [String: JSONValue]
    public let createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        id: String, workspaceID: String, name: String, description: String?, content: TemplateContent, version: Int,
        sampleData: [String: JSONValue], createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.description = description
        self.content = content
        self.version = version
        self.sampleData = sampleData
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What a version of a template renders: the Mustache source of each part and the values of missing variables.
public struct TemplateContent: Sendable, Equatable {
    public var subject: String
    public var html: String?
    public var text: String?
    /// Deep-merged under a message's data: a variable the message leaves out takes its value from here.
    public var defaults: [String: JSONValue]

    public init(subject: String, html: String?, text: String?, defaults: [String: JSONValue]) {
        self.subject = subject
        self.html = html
        self.text = text
        self.defaults = defaults
    }
}

/// One version of a template, as it was saved; versions are never changed.
public struct TemplateVersion: Sendable, Equatable {
    public let templateID: String
    public let version: Int
    public let content: TemplateContent
    public let createdAt: Timestamp
    /// Who saved it: a key id, an account id, or `system`.
    public let createdBy: String

    public init(templateID: String, version: Int, content: TemplateContent, createdAt: Timestamp, createdBy: String) {
        self.templateID = templateID
        self.version = version
        self.content = content
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}

/// The checks a template's fields pass before they are stored; each failure names the field as the API spells it.
/// Mustache syntax is checked by the renderer, which knows the library.
public enum TemplateRules {
    public static let maximumNameLength = 100
    public static let maximumDescriptionLength = 500
    /// A part's source; its rendered output is capped separately (the message's body limit).
    public static let maximumPartBytes = 512 * 1024
    public static let maximumSubjectBytes = 4 * 1024
    /// `defaults` and `sample_data`, as compact JSON.
    public static let maximumDataBytes = 64 * 1024

    public static func name(_ text: String) throws(ValidationError) -> String {
        let name = text.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= maximumNameLength, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ValidationError(param: "name", message: "A template name is 1 to \(maximumNameLength) characters, without control characters.")
        }
        return name
    }

    public static func description(_ text: String?) throws(ValidationError) -> String? {
        guard let text, !text.isEmpty else { return nil }
        guard text.count <= maximumDescriptionLength, !text.utf8.contains(0) else {
            throw ValidationError(param: "description", message: "A description is at most \(maximumDescriptionLength) characters, without NUL.")
        }
        return text
    }

    public static func content(subject: String, html: String?, text: String?, defaults: [String: JSONValue]) throws(ValidationError) -> TemplateContent {
        guard !subject.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError(param: "subject", message: "A template needs a subject.") }
        guard subject.utf8.count <= maximumSubjectBytes else {
            throw ValidationError(param: "subject", message: "A subject's source is at most \(maximumSubjectBytes / 1024) KiB.")
        }
        // A literal line break in the subject would be a header injection; variables are checked after rendering.
        guard !subject.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
            throw ValidationError(param: "subject", message: "A subject may not contain CR, LF or NUL.")
        }
        let html = html.flatMap { $0.isEmpty ? nil : $0 }
        let text = text.flatMap { $0.isEmpty ? nil : $0 }
        guard html != nil || text != nil else { throw ValidationError(param: "html", message: "A template needs an html or a text part.") }
        for (part, body) in [("html", html), ("text", text)] {
            guard let body else { continue }
            guard body.utf8.count <= maximumPartBytes else { throw ValidationError(param: part, message: "A part's source is at most \(maximumPartBytes / 1024) KiB.") }
            guard !body.utf8.contains(0) else { throw ValidationError(param: part, message: "A part may not contain NUL.") }
        }
        // Defaults may hold `contact`: the values of contact fields a recipient lacks (`Hello {{contact.first_name}}`).
        try data(defaults, param: "defaults", allowsContact: true)
        return TemplateContent(subject: subject, html: html, text: text, defaults: defaults)
    }

    /// `defaults`, `sample_data` and a message's `data`: an object of at most 64 KiB with no `contact` member
    /// (but in defaults), which is the recipient's contact, filled in by the server.
    public static func data(_ data: [String: JSONValue], param: String, allowsContact: Bool = false) throws(ValidationError) {
        guard allowsContact || data["contact"] == nil else {
            throw ValidationError(param: param + ".contact", message: "contact is the recipient's contact, filled in by SmartMails; name your value otherwise.")
        }
        guard JSONValue.object(data).jsonText.utf8.count <= maximumDataBytes else {
            throw ValidationError(param: param, message: "Template data is at most \(maximumDataBytes / 1024) KiB of JSON.")
        }
    }
}

/// The values a template is rendered over: the message's data over the template's defaults (objects merged member
/// by member, anything else replaced), with the recipient's contact as `contact` over the defaults' `contact`.
public enum TemplateVariables {
    public static func make(data: [String: JSONValue], defaults: [String: JSONValue], contact: Contact?) -> JSONValue {
        var merged = merge(defaults, under: data)
        if let contact {
            guard case .object(let fields) = value(of: contact) else { return .object(merged) }
            if case .object(let fallback)? = defaults["contact"] {
                merged["contact"] = .object(merge(fallback, under: fields))
            } else {
                merged["contact"] = .object(fields)
            }
        }
        return .object(merged)
    }

    static func merge(_ base: [String: JSONValue], under top: [String: JSONValue]) -> [String: JSONValue] {
        var result = base
        for (key, value) in top {
            if case .object(let inner) = value, case .object(let baseInner)? = base[key] {
                result[key] = .object(merge(baseInner, under: inner))
            } else {
                result[key] = value
            }
        }
        return result
    }

    /// The contact as a template sees it: its fields by their API names, attributes under `attributes`.
    public static func value(of contact: Contact) -> JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(contact.id), "email": .string(contact.email.address), "status": .string(contact.status.rawValue),
            "tags": .array(contact.tags.map(JSONValue.string)),
            "attributes": .object(contact.attributes.values.mapValues(\.json)),
        ]
        let name = [contact.firstName, contact.lastName].compactMap { $0 }.joined(separator: " ")
        if !name.isEmpty { fields["name"] = .string(name) }
        for (key, value) in [("first_name", contact.firstName), ("last_name", contact.lastName), ("external_id", contact.externalID),
                             ("time_zone", contact.timeZone), ("locale", contact.locale)] {
            if let value { fields[key] = .string(value) }
        }
        return .object(fields)
    }
}
