/// Reads a rule tree from JSON, failing closed: unknown keys, operators, fields or value types are errors naming
/// where they are, and trees deeper than `maximumDepth` or larger than `maximumConditions` are refused.
public enum SegmentRuleParser {
    public static let maximumDepth = 5
    public static let maximumConditions = 100
    public static let maximumGroupSize = 50

    /// Every kind of condition, asked in order which one reads a field.
    public static let conditionKinds: [any SegmentCondition.Type] = [
        TextFieldCondition.self, StatusCondition.self, TimeCondition.self, TagCondition.self, ListCondition.self,
        AttributeCondition.self,
    ]

    public static func parse(_ json: JSONValue, path: String = "rule") throws(SegmentRuleError) -> SegmentRule {
        var conditions = 0
        return try parse(json, path: path, depth: 1, conditions: &conditions)
    }

    private static func parse(_ json: JSONValue, path: String, depth: Int, conditions: inout Int) throws(SegmentRuleError) -> SegmentRule {
        guard case .object(let object) = json else { throw SegmentRuleError(path: path, "A rule is a JSON object, not \(json.typeName == "array" ? "an array" : "a \(json.typeName)").") }
        guard depth <= maximumDepth else { throw SegmentRuleError(path: path, "Rules nest at most \(maximumDepth) levels deep.") }
        for group in ["all", "any"] {
            guard let members = object[group] else { continue }
            guard object.count == 1 else { throw SegmentRuleError(path: path, "A '\(group)' group has no other keys.") }
            guard case .array(let items) = members, !items.isEmpty, items.count <= maximumGroupSize else {
                throw SegmentRuleError(path: "\(path).\(group)", "'\(group)' takes an array of 1 to \(maximumGroupSize) rules.")
            }
            var rules: [SegmentRule] = []
            for (index, item) in items.enumerated() {
                rules.append(try parse(item, path: "\(path).\(group)[\(index)]", depth: depth + 1, conditions: &conditions))
            }
            return group == "all" ? .all(rules) : .any(rules)
        }
        if let inner = object["not"] {
            guard object.count == 1 else { throw SegmentRuleError(path: path, "A 'not' has no other keys.") }
            return .not(try parse(inner, path: "\(path).not", depth: depth + 1, conditions: &conditions))
        }
        conditions += 1
        guard conditions <= maximumConditions else { throw SegmentRuleError(path: path, "A rule has at most \(maximumConditions) conditions.") }
        return .condition(try condition(object, path: path))
    }

    private static func condition(_ object: [String: JSONValue], path: String) throws(SegmentRuleError) -> any SegmentCondition {
        guard let field = object["field"]?.stringValue else {
            throw SegmentRuleError(path: path, "A rule is {\"all\": […]}, {\"any\": […]}, {\"not\": {…}} or a condition with \"field\", \"op\" and usually \"value\".")
        }
        guard let opName = object["op"]?.stringValue else { throw SegmentRuleError(path: "\(path).op", "A condition needs an \"op\".") }
        guard let op = SegmentOperator(rawValue: opName) else {
            throw SegmentRuleError(path: "\(path).op", "Unknown operator '\(opName.prefix(40))'; operators are \(SegmentOperator.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        guard let kind = conditionKinds.first(where: { $0.handles(field: field) }) else {
            throw SegmentRuleError(path: "\(path).field", "Unknown field '\(field.prefix(70))'; fields are email, first_name, last_name, external_id, time_zone, locale, status, created_at, updated_at, tags, lists and attributes.<name>.")
        }
        return try kind.parse(field: field, op: op, object: object, path: path)
    }
}

/// Helpers the condition kinds share to read their members.
enum ConditionReading {
    /// Fails on members other than `field`, `op` and `allowed`.
    static func onlyKeys(_ object: [String: JSONValue], _ allowed: Set<String>, path: String) throws(SegmentRuleError) {
        for key in object.keys where key != "field" && key != "op" && !allowed.contains(key) {
            throw SegmentRuleError(path: "\(path).\(key.prefix(40))", "Unknown member '\(key.prefix(40))' in this condition.")
        }
    }

    static func unsupported(_ op: SegmentOperator, field: String, path: String, supported: [SegmentOperator]) -> SegmentRuleError {
        SegmentRuleError(path: "\(path).op", "'\(op.rawValue)' does not apply to \(field); it takes \(supported.map(\.rawValue).joined(separator: ", ")).")
    }

    static func string(_ object: [String: JSONValue], path: String, maximumLength: Int = 1000) throws(SegmentRuleError) -> String {
        guard case .string(let text)? = object["value"], text.count <= maximumLength else {
            throw SegmentRuleError(path: "\(path).value", "This condition's value is a string of at most \(maximumLength) characters.")
        }
        return text
    }

    static func strings(_ object: [String: JSONValue], path: String) throws(SegmentRuleError) -> [String] {
        guard case .array(let items)? = object["value"], !items.isEmpty, items.count <= 1000 else {
            throw SegmentRuleError(path: "\(path).value", "'in' takes an array of 1 to 1000 values.")
        }
        var strings: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item, text.count <= 1000 else {
                throw SegmentRuleError(path: "\(path).value[\(index)]", "Each value is a string here.")
            }
            strings.append(text)
        }
        return strings
    }

    static func days(_ object: [String: JSONValue], path: String) throws(SegmentRuleError) -> Int {
        guard case .integer(let days)? = object["value"], (1...36_500).contains(days) else {
            throw SegmentRuleError(path: "\(path).value", "'within_last' takes a whole number of days, 1 to 36500.")
        }
        return Int(days)
    }

    static func instant(_ value: JSONValue?, path: String) throws(SegmentRuleError) -> Timestamp {
        guard case .string(let text)? = value, let instant = RFC3339.timestamp(text) else {
            throw SegmentRuleError(path: path, "This value is an RFC 3339 date or date-time such as 2024-05-01T00:00:00Z.")
        }
        return instant
    }

    static func noValue(_ object: [String: JSONValue], path: String) throws(SegmentRuleError) {
        guard object["value"] == nil else { throw SegmentRuleError(path: "\(path).value", "'exists' takes no value.") }
    }
}
