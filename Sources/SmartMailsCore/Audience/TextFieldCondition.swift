/// A contact's text fields: `email`, `first_name`, `last_name`, `external_id`, `time_zone`, `locale`.
/// `contains` and `starts_with` ignore case; `eq` on `email` compares whole addresses case-insensitively.
public struct TextFieldCondition: SegmentCondition, Hashable {
    public enum Field: String, Sendable, CaseIterable {
        case email, firstName = "first_name", lastName = "last_name", externalID = "external_id", timeZone = "time_zone", locale
    }

    public enum Test: Sendable, Hashable {
        case equals(String), notEquals(String), contains(String), startsWith(String), oneOf([String]), exists
    }

    public var field: Field
    public var test: Test

    public init(field: Field, test: Test) {
        self.field = field
        self.test = test
    }

    public static func handles(field: String) -> Bool { Field(rawValue: field) != nil }

    public static func parse(field name: String, op: SegmentOperator, object: [String: JSONValue], path: String) throws(SegmentRuleError) -> TextFieldCondition {
        let field = Field(rawValue: name)!
        let test: Test
        switch op {
        case .exists:
            try ConditionReading.onlyKeys(object, [], path: path)
            test = .exists
        case .in:
            try ConditionReading.onlyKeys(object, ["value"], path: path)
            test = .oneOf(try ConditionReading.strings(object, path: path))
        case .eq, .neq, .contains, .startsWith:
            try ConditionReading.onlyKeys(object, ["value"], path: path)
            let value = try ConditionReading.string(object, path: path)
            test = switch op {
            case .eq: .equals(value)
            case .neq: .notEquals(value)
            case .contains: .contains(value)
            default: .startsWith(value)
            }
        default:
            throw ConditionReading.unsupported(op, field: name, path: path, supported: [.eq, .neq, .contains, .startsWith, .in, .exists])
        }
        return TextFieldCondition(field: field, test: test)
    }
}

/// `status`: `eq`, `neq` or `in` one of active, unsubscribed, bounced, complained.
public struct StatusCondition: SegmentCondition, Hashable {
    public var statuses: [ContactStatus]
    public var negated: Bool

    public init(statuses: [ContactStatus], negated: Bool) {
        self.statuses = statuses
        self.negated = negated
    }

    public static func handles(field: String) -> Bool { field == "status" }

    public static func parse(field: String, op: SegmentOperator, object: [String: JSONValue], path: String) throws(SegmentRuleError) -> StatusCondition {
        try ConditionReading.onlyKeys(object, ["value"], path: path)
        let names: [String]
        switch op {
        case .eq, .neq: names = [try ConditionReading.string(object, path: path)]
        case .in: names = try ConditionReading.strings(object, path: path)
        default: throw ConditionReading.unsupported(op, field: field, path: path, supported: [.eq, .neq, .in])
        }
        var statuses: [ContactStatus] = []
        for name in names {
            guard let status = ContactStatus(rawValue: name) else {
                throw SegmentRuleError(path: "\(path).value", "'\(name.prefix(40))' is not a status; statuses are active, unsubscribed, bounced, complained.")
            }
            statuses.append(status)
        }
        return StatusCondition(statuses: statuses, negated: op == .neq)
    }
}

/// `created_at` and `updated_at`: `before`, `after`, `between` two instants, or `within_last` N days.
public struct TimeCondition: SegmentCondition, Hashable {
    public enum Field: String, Sendable { case createdAt = "created_at", updatedAt = "updated_at" }
    public enum Test: Sendable, Hashable {
        case before(Timestamp), after(Timestamp), between(Timestamp, Timestamp), withinLastDays(Int)
    }

    public var field: Field
    public var test: Test

    public init(field: Field, test: Test) {
        self.field = field
        self.test = test
    }

    public static func handles(field: String) -> Bool { Field(rawValue: field) != nil }

    public static func parse(field name: String, op: SegmentOperator, object: [String: JSONValue], path: String) throws(SegmentRuleError) -> TimeCondition {
        try ConditionReading.onlyKeys(object, ["value"], path: path)
        let test: Test
        switch op {
        case .before: test = .before(try ConditionReading.instant(object["value"], path: "\(path).value"))
        case .after: test = .after(try ConditionReading.instant(object["value"], path: "\(path).value"))
        case .withinLast: test = .withinLastDays(try ConditionReading.days(object, path: path))
        case .between:
            guard case .array(let bounds)? = object["value"], bounds.count == 2 else {
                throw SegmentRuleError(path: "\(path).value", "'between' takes [from, to], two RFC 3339 dates.")
            }
            let from = try ConditionReading.instant(bounds[0], path: "\(path).value[0]")
            let to = try ConditionReading.instant(bounds[1], path: "\(path).value[1]")
            guard from <= to else { throw SegmentRuleError(path: "\(path).value", "'between' takes the earlier date first.") }
            test = .between(from, to)
        default:
            throw ConditionReading.unsupported(op, field: name, path: path, supported: [.before, .after, .between, .withinLast])
        }
        return TimeCondition(field: Field(rawValue: name)!, test: test)
    }
}

/// `tags`: `contains` a tag, `in` (has any of) some tags, or `exists` (has any tag at all).
public struct TagCondition: SegmentCondition, Hashable {
    /// Empty: any tag.
    public var anyOf: [String]

    public init(anyOf: [String]) { self.anyOf = anyOf }

    public static func handles(field: String) -> Bool { field == "tags" }

    public static func parse(field: String, op: SegmentOperator, object: [String: JSONValue], path: String) throws(SegmentRuleError) -> TagCondition {
        switch op {
        case .exists:
            try ConditionReading.onlyKeys(object, [], path: path)
            return TagCondition(anyOf: [])
        case .contains:
            try ConditionReading.onlyKeys(object, ["value"], path: path)
            return TagCondition(anyOf: [try ConditionReading.string(object, path: path, maximumLength: ContactChanges.maximumTagLength)])
        case .in:
            try ConditionReading.onlyKeys(object, ["value"], path: path)
            return TagCondition(anyOf: try ConditionReading.strings(object, path: path))
        default:
            throw ConditionReading.unsupported(op, field: field, path: path, supported: [.contains, .in, .exists])
        }
    }
}

/// `lists`: a member of a list (`contains`) or of any of several (`in`), in a `state` (default `subscribed`;
/// `any` for every state).
public struct ListCondition: SegmentCondition, Hashable {
    public var listIDs: [String]
    /// nil: any state.
    public var state: MembershipState?

    public init(listIDs: [String], state: MembershipState?) {
        self.listIDs = listIDs
        self.state = state
    }

    public static func handles(field: String) -> Bool { field == "lists" }

    public static func parse(field: String, op: SegmentOperator, object: [String: JSONValue], path: String) throws(SegmentRuleError) -> ListCondition {
        try ConditionReading.onlyKeys(object, ["value", "state"], path: path)
        let ids: [String]
        switch op {
        case .contains: ids = [try ConditionReading.string(object, path: path)]
        case .in: ids = try ConditionReading.strings(object, path: path)
        default: throw ConditionReading.unsupported(op, field: field, path: path, supported: [.contains, .in])
        }
        for id in ids where !ResourceID.isWellFormed(id, prefix: ContactList.idPrefix) {
            throw SegmentRuleError(path: "\(path).value", "'\(id.prefix(40))' is not a list id (lst_…).")
        }
        var state: MembershipState? = .subscribed
        if let stateValue = object["state"] {
            guard case .string(let name) = stateValue, name == "any" || MembershipState(rawValue: name) != nil else {
                throw SegmentRuleError(path: "\(path).state", "state is subscribed, unsubscribed, pending or any.")
            }
            state = MembershipState(rawValue: name)
        }
        return ListCondition(listIDs: ids, state: state)
    }
}
