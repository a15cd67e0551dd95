/// `attributes.<name>`: a custom field, compared by the type of the rule's value. A value of another type never
/// matches (the string "5" is not greater than 3), and `exists` asks whether the contact has the attribute at all.
public struct AttributeCondition: SegmentCondition, Hashable {
    public enum Comparison: String, Sendable { case gt = ">", gte = ">=", lt = "<", lte = "<=" }

    public enum Test: Sendable, Hashable {
        case exists
        case equals(AttributeValue)
        case notEquals(AttributeValue)
        case contains(String)
        case startsWith(String)
        /// A number or a date.
        case compare(Comparison, AttributeValue)
        case between(AttributeValue, AttributeValue)
        case oneOf([AttributeValue])
        /// A date attribute no older than this many days (and not in the future).
        case withinLastDays(Int)
    }

    public var key: String
    public var test: Test

    public init(key: String, test: Test) {
        self.key = key
        self.test = test
    }

    public static func handles(field: String) -> Bool { field.hasPrefix("attributes.") }

    public static func parse(field: String, op: SegmentOperator, object: [String: JSONValue], path: String) throws(SegmentRuleError) -> AttributeCondition {
        let key = String(field.dropFirst("attributes.".count))
        guard ContactAttributes.isValidKey(key) else {
            throw SegmentRuleError(path: "\(path).field", "'\(key.prefix(70))' is not an attribute name: 1 to 64 letters, digits and underscores.")
        }
        try ConditionReading.onlyKeys(object, op == .exists ? [] : ["value"], path: path)
        let valuePath = "\(path).value"
        func value(_ json: JSONValue?, path: String) throws(SegmentRuleError) -> AttributeValue {
            guard let json, let value = AttributeValue(json: json) else {
                throw SegmentRuleError(path: path, "The value is a string, number, boolean or RFC 3339 date.")
            }
            return value
        }
        func ordered(_ json: JSONValue?, path: String) throws(SegmentRuleError) -> AttributeValue {
            let result = try value(json, path: path)
            guard result.kind == .number || result.kind == .date else {
                throw SegmentRuleError(path: path, "'\(op.rawValue)' compares numbers or dates, not a \(result.kind.rawValue).")
            }
            return result
        }
        let test: Test
        switch op {
        case .exists: test = .exists
        case .eq: test = .equals(try value(object["value"], path: valuePath))
        case .neq: test = .notEquals(try value(object["value"], path: valuePath))
        case .contains, .startsWith:
            guard case .string(let text)? = object["value"], text.count <= 1000, !text.isEmpty else {
                throw SegmentRuleError(path: valuePath, "'\(op.rawValue)' takes a non-empty string.")
            }
            test = op == .contains ? .contains(text) : .startsWith(text)
        case .gt: test = .compare(.gt, try ordered(object["value"], path: valuePath))
        case .gte: test = .compare(.gte, try ordered(object["value"], path: valuePath))
        case .lt: test = .compare(.lt, try ordered(object["value"], path: valuePath))
        case .lte: test = .compare(.lte, try ordered(object["value"], path: valuePath))
        case .before, .after:
            let bound = try value(object["value"], path: valuePath)
            guard bound.kind == .date else { throw SegmentRuleError(path: valuePath, "'\(op.rawValue)' takes an RFC 3339 date.") }
            test = .compare(op == .before ? .lt : .gt, bound)
        case .between:
            guard case .array(let bounds)? = object["value"], bounds.count == 2 else {
                throw SegmentRuleError(path: valuePath, "'between' takes [low, high], two numbers or two dates.")
            }
            let low = try ordered(bounds[0], path: "\(valuePath)[0]")
            let high = try ordered(bounds[1], path: "\(valuePath)[1]")
            guard low.kind == high.kind else { throw SegmentRuleError(path: valuePath, "'between' takes two values of one type.") }
            test = .between(low, high)
        case .in:
            guard case .array(let items)? = object["value"], !items.isEmpty, items.count <= 1000 else {
                throw SegmentRuleError(path: valuePath, "'in' takes an array of 1 to 1000 values.")
            }
            var values: [AttributeValue] = []
            for (index, item) in items.enumerated() { values.append(try value(item, path: "\(valuePath)[\(index)]")) }
            test = .oneOf(values)
        case .withinLast:
            test = .withinLastDays(try ConditionReading.days(object, path: path))
        }
        return AttributeCondition(key: key, test: test)
    }
}
