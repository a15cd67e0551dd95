import Mustache
import SmartMailsCore

/// A template's parts as written: Mustache source for the subject and the HTML and text bodies.
public struct TemplateSource: Sendable, Equatable {
    public var subject: String
    public var html: String?
    public var text: String?

    public init(subject: String, html: String?, text: String?) {
        self.subject = subject
        self.html = html
        self.text = text
    }
}

public enum TemplatePart: String, Sendable {
    case subject, html, text
}

public enum TemplateRenderError: Error, Sendable, Equatable {
    case syntax(part: TemplatePart, line: Int, column: Int, reason: String)
    case unsupported(part: TemplatePart, kind: String, line: Int, column: Int)
    /// What rendering could write (or the tags it could visit) is past the cap for this data: refused, not run.
    case tooLarge(part: TemplatePart, boundBytes: Int, limitBytes: Int)

    public var part: TemplatePart {
        switch self {
        case .syntax(let part, _, _, _), .unsupported(let part, _, _, _), .tooLarge(let part, _, _): part
        }
    }

    /// The API's error code.
    public var code: String {
        if case .tooLarge = self { return "template_too_large" }
        return "template_syntax"
    }

    /// What a person reads: the part, and where in it.
    public var message: String {
        switch self {
        case .syntax(let part, let line, let column, let reason):
            "The \(part.rawValue) part has a syntax error at line \(line), column \(column): \(reason)."
        case .unsupported(let part, let kind, let line, let column):
            "The \(part.rawValue) part uses a \(kind) at line \(line), column \(column); message templates cannot include other templates."
        case .tooLarge(let part, let bound, let limit):
            "With this data the \(part.rawValue) part could expand to \(bound) bytes; at most \(limit) bytes and \(CompiledTemplate.maximumVisits) tag visits are allowed, so it was not rendered."
        }
    }
}

/// What a template renders to; `text` is made from the HTML when the template has no text part.
public struct RenderedTemplate: Sendable, Equatable {
    public let subject: String
    public let html: String?
    public let text: String?
}

/// A template checked once (syntax, no partials), rendered many times over different data.
///
/// Rendering goes through swift-mustache with no library, so it cannot read other templates or files, and the data
/// is converted to plain values first: it reaches no Swift object by reflection and runs no code.
public struct CompiledTemplate: Sendable {
    /// Per rendered part, what a message allows (the message's own body limit).
    public static let maximumPartBytes = MessageRules.maximumBodyBytes
    /// Tags evaluated per part, repetitions counted: the bound on rendering time.
    public static let maximumVisits = 200_000
    /// Subject and text parts are not HTML: their variables are not escaped.
    static let textPragma = "{{% CONTENT_TYPE:TEXT}}"

    private struct Part: Sendable {
        let part: TemplatePart
        let template: MustacheTemplate
        let shape: TemplateShape
        let escaping: Bool
    }

    private let subject: Part
    private let html: Part?
    private let text: Part?

    /// Whether any part looks up `contact`: only then is the recipient's contact read to render it.
    public let usesContact: Bool

    public init(_ source: TemplateSource) throws(TemplateRenderError) {
        subject = try Self.compile(source.subject, part: .subject)
        html = try source.html.map { html throws(TemplateRenderError) in try Self.compile(html, part: .html) }
        text = try source.text.map { text throws(TemplateRenderError) in try Self.compile(text, part: .text) }
        usesContact = [subject, html, text].contains { $0?.shape.mentions("contact") == true }
    }

    private static func compile(_ source: String, part: TemplatePart) throws(TemplateRenderError) -> Part {
        let escaping = part == .html
        let prefix = escaping ? "" : textPragma
        let template: MustacheTemplate
        do {
            template = try MustacheTemplate(string: prefix + source)
        } catch let error as MustacheTemplate.ParserError {
            let line = error.context.lineNumber
            // The pragma sits at the start of line 1: columns there are the writer's own.
            let column = line == 1 ? max(1, error.context.columnNumber - prefix.count) : error.context.columnNumber
            throw .syntax(part: part, line: line, column: column, reason: Self.reason(error.error))
        } catch {
            throw .syntax(part: part, line: 1, column: 1, reason: "\(error)")
        }
        do {
            return Part(part: part, template: template, shape: try TemplateShape.scan(source), escaping: escaping)
        } catch {
            throw .unsupported(part: part, kind: error.kind, line: error.line, column: error.column)
        }
    }

    private static func reason(_ error: any Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect: "a section is closed with another name than it was opened with"
        case .unfinishedName: "a tag is not closed"
        case .expectedSectionEnd: "a section is never closed"
        case .invalidSetDelimiter: "a set-delimiter tag is malformed"
        case .invalidConfigVariableSyntax, .unrecognisedConfigVariable: "a pragma tag is not one this renderer knows"
        default: "the template cannot be read"
        }
    }

    /// Renders every part over `data`, after checking the bound of each: nothing is rendered when any part is too large.
    public func render(_ data: JSONValue) throws(TemplateRenderError) -> RenderedTemplate {
        let profile = TemplateDataProfile(data)
        for part in [subject, html, text].compactMap({ $0 }) {
            let bound = part.shape.bound(for: profile, escaping: part.escaping)
            if bound.bytes > Self.maximumPartBytes || bound.visits > Self.maximumVisits {
                throw .tooLarge(part: part.part, boundBytes: bound.bytes, limitBytes: Self.maximumPartBytes)
            }
        }
        let context: Any = TemplateValue.make(data) ?? TemplateObject(members: [:])
        let html = html?.template.render(context)
        return RenderedTemplate(
            subject: subject.template.render(context),
            html: html,
            text: text?.template.render(context) ?? html.map(HTMLText.plainText(fromHTML:))
        )
    }
}

/// Data as swift-mustache sees it: objects and lists it can look into but never print, and scalars as text.
enum TemplateValue {
    static func make(_ value: JSONValue) -> Any? {
        switch value {
        case .null: nil
        case .bool(let flag): flag
        case .integer(let number): String(number)
        case .number(let number):
            number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .string(let text): text
        case .array(let items): TemplateList(items: items.map { make($0) as Any })
        case .object(let members): TemplateObject(members: members.compactMapValues { make($0) })
        }
    }
}

/// A JSON object: `MustacheParent` keeps lookups to its members (never Swift reflection); printed, it is empty.
struct TemplateObject: MustacheParent, MustacheCustomRenderable {
    let members: [String: Any]
    func child(named name: String) -> Any? { members[name] }
    var renderText: String { "" }
    var isNull: Bool { false }
}

/// A JSON array: a section repeats per item; printed, it is empty; it has no members to look up.
struct TemplateList: MustacheSequence, MustacheParent, MustacheCustomRenderable {
    let items: [Any]
    func makeIterator() -> IndexingIterator<[Any]> { items.makeIterator() }
    func child(named name: String) -> Any? { nil }
    var renderText: String { "" }
    var isNull: Bool { false }
}
