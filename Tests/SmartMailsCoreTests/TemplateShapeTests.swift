import SmartMailsCore
import Testing

/// A template's output is bounded from its shape and the data before it runs: nested lists multiply, and the bound
/// is never below what rendering could write.
@Suite struct TemplateShapeTests {
    static func data(_ json: [String: JSONValue]) -> TemplateDataProfile { TemplateDataProfile(.object(json)) }

    @Test func textAndVariablesAddUpWithEscapingCounted() throws {
        let shape = try TemplateShape.scan("Hi {{name}}, {{{raw}}} {{&raw}}!")
        let bound = shape.bound(for: Self.data(["name": .string("Ada"), "raw": .string("<b>")]))
        // "Hi ", ", ", " ", "!" are 7 bytes; name escaped at most 3 x 6; raw twice unescaped, 3 each.
        #expect(bound.bytes == 7 + 18 + 3 + 3)
        #expect(shape.bound(for: Self.data(["name": .string("Ada"), "raw": .string("<b>")]), escaping: false).bytes == 7 + 3 + 3 + 3)
    }

    @Test func nestedListsMultiplyAndInvertedSectionsDoNot() throws {
        let shape = try TemplateShape.scan("{{#rows}}[{{#cells}}x{{/cells}}]{{/rows}}{{^rows}}none{{/rows}}")
        let rows = JSONValue.array((0..<10).map { _ in .object(["cells": .array((0..<20).map { _ in .integer(1) })]) })
        let bound = shape.bound(for: TemplateDataProfile(.object(["rows": rows])))
        #expect(bound.bytes == 10 * (2 + 20 * 1) + 4)
        #expect(bound.visits > 200)
    }

    @Test func theSameListNestedFiveTimesIsBoundedAsItsProduct() throws {
        let source = String(repeating: "{{#a}}", count: 5) + "{{.}}" + String(repeating: "{{/a}}", count: 5)
        let data = TemplateDataProfile(.object(["a": .array((0..<1_000).map { .integer(Int64($0)) })]))
        let bound = try TemplateShape.scan(source).bound(for: data)
        // 10^15 repetitions: far past any cap, and computed without overflow.
        #expect(bound.visits >= 1_000_000_000_000_000)
        #expect(bound.bytes >= 1_000_000_000_000_000)
    }

    @Test func dottedNamesTransformsAndChangedDelimitersFindTheirKeys() throws {
        let shape = try TemplateShape.scan("{{=<% %>=}}<%#reversed(order.items)%><%name%><%/order.items%><%={{ }}=%>{{count(order.items)}}")
        #expect(shape.nodes == [
            .section(key: "items", inverted: false, children: [.variable(key: "name", escaped: true, transformed: false)]),
            .variable(key: "items", escaped: true, transformed: true),
        ])
    }

    @Test func commentsAndPragmasWriteNothing() throws {
        let shape = try TemplateShape.scan("{{! a comment }}{{%CONTENT_TYPE:TEXT}}ok")
        #expect(shape.nodes == [.text(bytes: 2)])
    }

    @Test func partialsAndInheritanceAreRefusedWithTheirPlace() {
        let partial = #expect(throws: TemplateShape.UnsupportedTag.self) { try TemplateShape.scan("line one\nab {{> footer}}") }
        #expect(partial.map { [$0.kind, "\($0.line)", "\($0.column)"] } == ["partial", "2", "4"])
        let inheritance = #expect(throws: TemplateShape.UnsupportedTag.self) { try TemplateShape.scan("{{<layout}}{{/layout}}") }
        #expect(inheritance.map { [$0.kind, "\($0.line)", "\($0.column)"] } == ["inheritance", "1", "1"])
    }
}
