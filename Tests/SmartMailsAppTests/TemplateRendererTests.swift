import SmartMailsApp
import SmartMailsCore
import Testing

/// Templates render what their writer means: HTML escaped, text and subject not, missing values empty, and a
/// template that could expand without bound refused before it runs.
@Suite struct TemplateRendererTests {
    static let order: JSONValue = .object([
        "name": .string("Ada <& Co>"),
        "total": .number(12.5),
        "count": .integer(2),
        "vip": .bool(true),
        "items": .array([.object(["title": .string("Tea")]), .object(["title": .string("Cups")])]),
    ])

    @Test func htmlIsEscapedTextAndSubjectAreNotAndTextIsMadeFromHTML() throws {
        let template = try CompiledTemplate(TemplateSource(
            subject: "Order for {{name}} ({{count}} items)",
            html: "<p>Hello {{name}}</p><ul>{{#items}}<li>{{title}}</li>{{/items}}</ul>{{#vip}}<p>VIP</p>{{/vip}}<p>Total {{total}}{{missing}}</p>",
            text: nil
        ))
        let rendered = try template.render(Self.order)
        #expect(rendered.subject == "Order for Ada <& Co> (2 items)")
        #expect(rendered.html == "<p>Hello Ada &lt;&amp; Co&gt;</p><ul><li>Tea</li><li>Cups</li></ul><p>VIP</p><p>Total 12.5</p>")
        #expect(rendered.text == "Hello Ada <& Co>\n\n- Tea\n- Cups\n\nVIP\n\nTotal 12.5")
    }

    @Test func objectsAndListsPrintedAsVariablesWriteNothingAndRevealNothing() throws {
        let template = try CompiledTemplate(TemplateSource(subject: "[{{items}}][{{items.count}}][{{items.items}}]", html: nil, text: "{{#items}}{{members}}{{/items}}"))
        let rendered = try template.render(Self.order)
        #expect(rendered.subject == "[][][]")
        #expect(rendered.text == "")
    }

    /// The column is where swift-mustache stopped reading: the mismatched name, not the tag's first brace.
    @Test func syntaxErrorsNameThePartLineAndColumn() {
        #expect(throws: TemplateRenderError.syntax(part: .html, line: 2, column: 15, reason: "a section is closed with another name than it was opened with")) {
            try CompiledTemplate(TemplateSource(subject: "ok", html: "<p>\n{{#items}}x{{/item}}", text: nil))
        }
        let subject = #expect(throws: TemplateRenderError.self) { try CompiledTemplate(TemplateSource(subject: "Hi {{name", html: nil, text: "x")) }
        guard case .syntax(.subject, 1, _, _)? = subject else {
            Issue.record("expected a subject syntax error on line 1, got \(String(describing: subject))")
            return
        }
        #expect(throws: TemplateRenderError.unsupported(part: .text, kind: "partial", line: 1, column: 1)) {
            try CompiledTemplate(TemplateSource(subject: "ok", html: nil, text: "{{> footer}}"))
        }
    }

    @Test func anUnboundedExpansionIsRefusedBeforeItRuns() throws {
        let nested = String(repeating: "{{#a}}", count: 4) + "{{.}}" + String(repeating: "{{/a}}", count: 4)
        let template = try CompiledTemplate(TemplateSource(subject: "ok", html: nested, text: nil))
        let small = JSONValue.object(["a": .array((0..<3).map { .integer($0) })])
        #expect(try template.render(small).html?.isEmpty == false)
        let large = JSONValue.object(["a": .array((0..<1_000).map { .integer(Int64($0)) })])
        let refusal = #expect(throws: TemplateRenderError.self) { try template.render(large) }
        guard case .tooLarge(.html, let bound, let limit)? = refusal else {
            Issue.record("expected tooLarge, got \(String(describing: refusal))")
            return
        }
        #expect(bound > limit)
    }
}
