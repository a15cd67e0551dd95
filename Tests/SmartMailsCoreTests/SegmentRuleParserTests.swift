import Foundation
import SmartMailsCore
import Testing

/// Segment rules as the API and the rule builder send them: every operator where it applies, and every refusal
/// pointing at the part of the JSON that is wrong.
@Suite struct SegmentRuleParserTests {
    static let listID = ResourceID.make(prefix: ContactList.idPrefix)
    static let otherListID = ResourceID.make(prefix: ContactList.idPrefix)

    static func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    static func parse(_ text: String) throws -> SegmentRule {
        try SegmentRuleParser.parse(json(text))
    }

    /// The single condition a rule is, as its kind.
    static func condition<Kind: SegmentCondition>(_ text: String, as kind: Kind.Type, sourceLocation: SourceLocation = #_sourceLocation) throws -> Kind {
        guard case .condition(let condition) = try parse(text) else {
            Issue.record("not a condition: \(text)", sourceLocation: sourceLocation)
            throw CancellationError()
        }
        return try #require(condition as? Kind, sourceLocation: sourceLocation)
    }

    static func refusal(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> SegmentRuleError? {
        let value = try json(text)
        return #expect(throws: SegmentRuleError.self, sourceLocation: sourceLocation) { try SegmentRuleParser.parse(value) }
    }

    // MARK: - Accepted

    @Test(arguments: TextFieldCondition.Field.allCases)
    func textFieldsTakeTheTextOperators(field: TextFieldCondition.Field) throws {
        let name = field.rawValue
        func test(_ op: String, _ value: String?) throws -> TextFieldCondition.Test {
            let member = value.map { #", "value": \#($0)"# } ?? ""
            let condition = try Self.condition(#"{"field": "\#(name)", "op": "\#(op)"\#(member)}"#, as: TextFieldCondition.self)
            #expect(condition.field == field)
            return condition.test
        }
        #expect(try test("eq", #""Ana""#) == .equals("Ana"))
        #expect(try test("neq", #""Ana""#) == .notEquals("Ana"))
        #expect(try test("contains", #""an""#) == .contains("an"))
        #expect(try test("starts_with", #""A""#) == .startsWith("A"))
        #expect(try test("in", #"["a", "b"]"#) == .oneOf(["a", "b"]))
        #expect(try test("exists", nil) == .exists)
        for op in ["gt", "gte", "lt", "lte", "between", "before", "after", "within_last"] {
            #expect(try Self.refusal(#"{"field": "\#(name)", "op": "\#(op)", "value": "x"}"#)?.path == "rule.op")
        }
    }

    @Test func statusTakesEqNeqAndIn() throws {
        let eq = try Self.condition(#"{"field": "status", "op": "eq", "value": "active"}"#, as: StatusCondition.self)
        #expect(eq.statuses == [.active])
        #expect(!eq.negated)
        let neq = try Self.condition(#"{"field": "status", "op": "neq", "value": "bounced"}"#, as: StatusCondition.self)
        #expect(neq.statuses == [.bounced])
        #expect(neq.negated)
        let oneOf = try Self.condition(#"{"field": "status", "op": "in", "value": ["unsubscribed", "complained"]}"#, as: StatusCondition.self)
        #expect(oneOf.statuses == [.unsubscribed, .complained])
        #expect(try Self.refusal(#"{"field": "status", "op": "contains", "value": "act"}"#)?.path == "rule.op")
        #expect(try Self.refusal(#"{"field": "status", "op": "exists"}"#)?.path == "rule.op")
    }

    @Test(arguments: ["created_at", "updated_at"])
    func timesTakeBeforeAfterBetweenAndWithinLast(field: String) throws {
        let may = try #require(RFC3339.timestamp("2024-05-01T00:00:00Z"))
        func test(_ op: String, _ value: String) throws -> TimeCondition.Test {
            let condition = try Self.condition(#"{"field": "\#(field)", "op": "\#(op)", "value": \#(value)}"#, as: TimeCondition.self)
            #expect(condition.field.rawValue == field)
            return condition.test
        }
        #expect(try test("before", #""2024-05-01""#) == .before(may))
        #expect(try test("after", #""2024-05-01T02:00:00+02:00""#) == .after(may))
        #expect(try test("between", #"["2024-05-01", "2024-05-02T00:00:00Z"]"#) == .between(may, may.adding(seconds: 86_400)))
        #expect(try test("within_last", "30") == .withinLastDays(30))
        for op in ["eq", "neq", "gt", "contains", "in", "exists"] {
            #expect(try Self.refusal(#"{"field": "\#(field)", "op": "\#(op)", "value": "2024-05-01"}"#)?.path == "rule.op")
        }
    }

    @Test func tagsTakeContainsInAndExists() throws {
        #expect(try Self.condition(#"{"field": "tags", "op": "contains", "value": "vip"}"#, as: TagCondition.self).anyOf == ["vip"])
        #expect(try Self.condition(#"{"field": "tags", "op": "in", "value": ["vip", "beta"]}"#, as: TagCondition.self).anyOf == ["vip", "beta"])
        #expect(try Self.condition(#"{"field": "tags", "op": "exists"}"#, as: TagCondition.self).anyOf == [])
        #expect(try Self.refusal(#"{"field": "tags", "op": "eq", "value": "vip"}"#)?.path == "rule.op")
    }

    @Test func listsTakeContainsAndInWithAState() throws {
        let id = Self.listID, other = Self.otherListID
        let member = try Self.condition(#"{"field": "lists", "op": "contains", "value": "\#(id)"}"#, as: ListCondition.self)
        #expect(member == ListCondition(listIDs: [id], state: .subscribed))
        let pending = try Self.condition(#"{"field": "lists", "op": "in", "value": ["\#(id)", "\#(other)"], "state": "pending"}"#, as: ListCondition.self)
        #expect(pending == ListCondition(listIDs: [id, other], state: .pending))
        let any = try Self.condition(#"{"field": "lists", "op": "contains", "value": "\#(id)", "state": "any"}"#, as: ListCondition.self)
        #expect(any == ListCondition(listIDs: [id], state: nil))
        #expect(try Self.refusal(#"{"field": "lists", "op": "eq", "value": "\#(id)"}"#)?.path == "rule.op")
        #expect(try Self.refusal(#"{"field": "lists", "op": "contains", "value": "lst_nope"}"#)?.path == "rule.value")
        #expect(try Self.refusal(#"{"field": "lists", "op": "in", "value": ["\#(id)", "seg_01"]}"#)?.path == "rule.value")
        #expect(try Self.refusal(#"{"field": "lists", "op": "contains", "value": "\#(id)", "state": "gone"}"#)?.path == "rule.state")
        #expect(try Self.refusal(#"{"field": "lists", "op": "contains", "value": "\#(id)", "state": true}"#)?.path == "rule.state")
    }

    @Test func attributesTakeEveryOperator() throws {
        func test(_ op: String, _ value: String?) throws -> AttributeCondition.Test {
            let member = value.map { #", "value": \#($0)"# } ?? ""
            let condition = try Self.condition(#"{"field": "attributes.plan_2", "op": "\#(op)"\#(member)}"#, as: AttributeCondition.self)
            #expect(condition.key == "plan_2")
            return condition.test
        }
        #expect(try test("exists", nil) == .exists)
        #expect(try test("eq", #""pro""#) == .equals(.string("pro")))
        #expect(try test("eq", "12") == .equals(.integer(12)))
        #expect(try test("eq", "true") == .equals(.bool(true)))
        #expect(try test("eq", #""2024-05-01T10:00:00+02:00""#) == .equals(.date("2024-05-01T08:00:00Z")))
        #expect(try test("neq", "4.5") == .notEquals(.number(4.5)))
        #expect(try test("contains", #""Pro""#) == .contains("Pro"))
        #expect(try test("starts_with", #""p""#) == .startsWith("p"))
        #expect(try test("gt", "3") == .compare(.gt, .integer(3)))
        #expect(try test("gte", "-1.5") == .compare(.gte, .number(-1.5)))
        #expect(try test("lt", #""2024-05-01""#) == .compare(.lt, .date("2024-05-01")))
        #expect(try test("lte", "0") == .compare(.lte, .integer(0)))
        #expect(try test("before", #""2024-05-01""#) == .compare(.lt, .date("2024-05-01")))
        #expect(try test("after", #""2024-05-01T00:00:00Z""#) == .compare(.gt, .date("2024-05-01T00:00:00Z")))
        #expect(try test("between", "[1, 2.5]") == .between(.integer(1), .number(2.5)))
        #expect(try test("between", #"["2024-01-01", "2024-12-31"]"#) == .between(.date("2024-01-01"), .date("2024-12-31")))
        #expect(try test("in", #"["pro", 3, false]"#) == .oneOf([.string("pro"), .integer(3), .bool(false)]))
        #expect(try test("within_last", "7") == .withinLastDays(7))
    }

    @Test func groupsAndNotNest() throws {
        let rule = try Self.parse(#"""
            {"all": [
                {"field": "status", "op": "eq", "value": "active"},
                {"any": [{"field": "tags", "op": "contains", "value": "vip"}, {"not": {"field": "attributes.orders", "op": "gt", "value": 5}}]}
            ]}
            """#)
        guard case .all(let members) = rule, members.count == 2, case .condition(let first) = members[0], case .any(let alternatives) = members[1],
              alternatives.count == 2, case .condition(let tag) = alternatives[0], case .not(let negated) = alternatives[1], case .condition(let inner) = negated
        else {
            Issue.record("unexpected tree")
            return
        }
        #expect((first as? StatusCondition)?.statuses == [.active])
        #expect((tag as? TagCondition)?.anyOf == ["vip"])
        #expect((inner as? AttributeCondition)?.key == "orders")
        #expect((inner as? AttributeCondition)?.test == .compare(.gt, .integer(5)))
    }

    @Test func fiveLevelsAndAHundredConditionsAreAllowed() throws {
        let condition = #"{"field": "tags", "op": "exists"}"#
        _ = try Self.parse(#"{"all": [{"any": [{"not": {"all": [\#(condition)]}}]}]}"#)
        let fifty = Array(repeating: condition, count: 50).joined(separator: ", ")
        _ = try Self.parse(#"{"any": [{"all": [\#(fifty)]}, {"all": [\#(fifty)]}]}"#)
    }

    // MARK: - Refused, with where

    @Test(arguments: [
        // Not a rule at all.
        (#"[]"#, "rule"),
        (#""all""#, "rule"),
        (#"{"all": [1]}"#, "rule.all[0]"),
        (#"{}"#, "rule"),
        (#"{"op": "eq", "value": "x"}"#, "rule"),
        // Operators.
        (#"{"field": "email", "op": "like", "value": "x"}"#, "rule.op"),
        (#"{"field": "email", "value": "x"}"#, "rule.op"),
        (#"{"field": "email", "op": 3, "value": "x"}"#, "rule.op"),
        (#"{"all": [{"field": "email", "op": "eq", "value": "a"}, {"field": "email", "op": "EQ", "value": "b"}]}"#, "rule.all[1].op"),
        (#"{"any": [{"not": {"field": "email", "op": "matches", "value": "x"}}]}"#, "rule.any[0].not.op"),
        // Fields.
        (#"{"all": [{"field": "status", "op": "eq", "value": "active"}, {"field": "phone", "op": "eq", "value": "1"}]}"#, "rule.all[1].field"),
        (#"{"field": "Email", "op": "eq", "value": "x"}"#, "rule.field"),
        (#"{"field": "attributes.", "op": "exists"}"#, "rule.field"),
        (#"{"field": "attributes.has-dash", "op": "exists"}"#, "rule.field"),
        (#"{"field": "attributes.a.b", "op": "exists"}"#, "rule.field"),
        // Members.
        (#"{"any": [{"field": "email", "op": "eq", "value": "x", "extra": 1}]}"#, "rule.any[0].extra"),
        (#"{"field": "tags", "op": "exists", "value": "vip"}"#, "rule.value"),
        (#"{"field": "email", "op": "exists", "value": true}"#, "rule.value"),
        (#"{"field": "attributes.plan", "op": "exists", "value": "x"}"#, "rule.value"),
        (#"{"field": "status", "op": "eq", "value": "active", "state": "any"}"#, "rule.state"),
        (#"{"all": [{"field": "tags", "op": "exists"}], "any": [{"field": "tags", "op": "exists"}]}"#, "rule"),
        (#"{"not": {"field": "tags", "op": "exists"}, "all": []}"#, "rule"),
        (#"{"not": {"field": "tags", "op": "exists"}, "field": "x"}"#, "rule"),
        // Values of the wrong type.
        (#"{"field": "attributes.orders", "op": "gt", "value": true}"#, "rule.value"),
        (#"{"field": "attributes.orders", "op": "gte", "value": "five"}"#, "rule.value"),
        (#"{"field": "attributes.orders", "op": "lt", "value": null}"#, "rule.value"),
        (#"{"field": "attributes.orders", "op": "lte"}"#, "rule.value"),
        (#"{"field": "attributes.plan", "op": "eq", "value": ["pro"]}"#, "rule.value"),
        (#"{"field": "attributes.plan", "op": "eq", "value": {"a": 1}}"#, "rule.value"),
        (#"{"field": "attributes.plan", "op": "contains", "value": 3}"#, "rule.value"),
        (#"{"field": "attributes.plan", "op": "starts_with", "value": ""}"#, "rule.value"),
        (#"{"field": "attributes.since", "op": "before", "value": 20240501}"#, "rule.value"),
        (#"{"field": "attributes.since", "op": "after", "value": "2024-02-30"}"#, "rule.value"),
        (#"{"field": "attributes.orders", "op": "between", "value": [1]}"#, "rule.value"),
        (#"{"field": "attributes.orders", "op": "between", "value": [1, "2024-05-01"]}"#, "rule.value"),
        (#"{"field": "attributes.orders", "op": "between", "value": [1, false]}"#, "rule.value[1]"),
        (#"{"field": "attributes.orders", "op": "between", "value": ["low", 3]}"#, "rule.value[0]"),
        (#"{"field": "attributes.plan", "op": "in", "value": []}"#, "rule.value"),
        (#"{"field": "attributes.plan", "op": "in", "value": ["a", null]}"#, "rule.value[1]"),
        (#"{"field": "attributes.since", "op": "within_last", "value": 0}"#, "rule.value"),
        (#"{"field": "attributes.since", "op": "within_last", "value": 2.5}"#, "rule.value"),
        (#"{"field": "email", "op": "eq", "value": 5}"#, "rule.value"),
        (#"{"field": "email", "op": "in", "value": "a@example.com"}"#, "rule.value"),
        (#"{"field": "email", "op": "in", "value": ["a@example.com", 5]}"#, "rule.value[1]"),
        (#"{"field": "status", "op": "eq", "value": "deleted"}"#, "rule.value"),
        (#"{"field": "status", "op": "in", "value": ["active", "gone"]}"#, "rule.value"),
        (#"{"field": "tags", "op": "contains", "value": 1}"#, "rule.value"),
        (#"{"field": "created_at", "op": "before", "value": "last week"}"#, "rule.value"),
        (#"{"field": "created_at", "op": "after", "value": "2024-02-30"}"#, "rule.value"),
        (#"{"field": "updated_at", "op": "between", "value": ["2024-05-02", "2024-05-01"]}"#, "rule.value"),
        (#"{"field": "updated_at", "op": "between", "value": ["2024-05-01", "soon"]}"#, "rule.value[1]"),
        (#"{"field": "created_at", "op": "within_last", "value": 36501}"#, "rule.value"),
        (#"{"field": "created_at", "op": "within_last", "value": "7"}"#, "rule.value"),
        // Groups.
        (#"{"all": []}"#, "rule.all"),
        (#"{"any": [{"all": []}]}"#, "rule.any[0].all"),
        (#"{"not": {"any": []}}"#, "rule.not.any"),
        (#"{"all": {"field": "tags", "op": "exists"}}"#, "rule.all"),
        (#"{"not": []}"#, "rule.not"),
    ])
    func refusalsPointAtTheMistake(rule: String, path: String) throws {
        let error = try Self.refusal(rule)
        #expect(error?.path == path, "\(rule)")
        #expect(error?.message.isEmpty == false)
    }

    @Test func rulesNestAtMostFiveLevels() throws {
        let condition = #"{"field": "tags", "op": "exists"}"#
        let six = #"{"all": [{"any": [{"not": {"all": [{"any": [\#(condition)]}]}}]}]}"#
        let error = try Self.refusal(six)
        #expect(error?.path == "rule.all[0].any[0].not.all[0].any[0]")
        #expect(error?.message.contains("5") == true)
        let sixGroups = #"{"all": [{"all": [{"all": [{"all": [{"all": [{"all": [\#(condition)]}]}]}]}]}]}"#
        #expect(try Self.refusal(sixGroups)?.path == "rule.all[0].all[0].all[0].all[0].all[0]")
        let notNot = #"{"not": {"not": {"not": {"not": {"not": \#(condition)}}}}}"#
        #expect(try Self.refusal(notNot)?.path == "rule.not.not.not.not.not")
    }

    @Test func aRuleHasAtMostAHundredConditions() throws {
        let condition = #"{"field": "tags", "op": "exists"}"#
        let fifty = Array(repeating: condition, count: 50).joined(separator: ", ")
        let error = try Self.refusal(#"{"any": [{"all": [\#(fifty)]}, {"all": [\#(fifty)]}, \#(condition)]}"#)
        #expect(error?.path == "rule.any[2]")
        #expect(error?.message.contains("100") == true)
        let late = try Self.refusal(#"{"any": [{"all": [\#(fifty)]}, {"all": [\#(fifty)]}, {"not": {"all": [\#(condition), \#(condition)]}}]}"#)
        #expect(late?.path == "rule.any[2].not.all[0]")
    }

    @Test func aGroupHasAtMostFiftyMembers() throws {
        let condition = #"{"field": "tags", "op": "exists"}"#
        let fiftyOne = Array(repeating: condition, count: 51).joined(separator: ", ")
        #expect(try Self.refusal(#"{"all": [\#(fiftyOne)]}"#)?.path == "rule.all")
        #expect(try Self.refusal(#"{"not": {"any": [\#(fiftyOne)]}}"#)?.path == "rule.not.any")
    }

    @Test func pathsStartWhereTheCallerSays() throws {
        let value = try Self.json(#"{"all": [{"field": "nope", "op": "eq", "value": 1}]}"#)
        let error = #expect(throws: SegmentRuleError.self) { try SegmentRuleParser.parse(value, path: "filters[2]") }
        #expect(error?.path == "filters[2].all[0].field")
    }
}
