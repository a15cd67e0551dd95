/// A segment's filter: conditions combined with `all`, `any` and `not`. Parsed from JSON by `SegmentRuleParser`,
/// compiled to parameterised SQL by the store; each condition is one small type (see `SegmentCondition`).
public indirect enum SegmentRule: Sendable {
    case all([SegmentRule])
    case any([SegmentRule])
    case not(SegmentRule)
    case condition(any SegmentCondition)
}

/// One test of a contact. A new kind of condition (opened within N days, an event, a predicted score) is a new type
/// conforming to this, one entry in `SegmentRuleParser.conditionKinds`, and its SQL in the store.
public protocol SegmentCondition: Sendable {
    /// Whether this kind reads conditions on `field` (`email`, `tags`, `attributes.plan`, …).
    static func handles(field: String) -> Bool
    /// The condition from its JSON object (`field`, `op` and the kind's own members); errors name `path`.
    static func parse(field: String, op: SegmentOperator, object: [String: JSONValue], path: String) throws(SegmentRuleError) -> Self
}

/// The comparison a condition makes.
public enum SegmentOperator: String, Sendable, CaseIterable {
    case eq, neq, contains, startsWith = "starts_with", gt, gte, lt, lte, between, exists, `in`
    case before, after, withinLast = "within_last"
}

/// Why a rule tree is refused: `path` points into the JSON (`rule.all[2].op`).
public struct SegmentRuleError: Error, Equatable, Sendable {
    public var path: String
    public var message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }
}
