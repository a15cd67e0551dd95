/// A saved rule tree with a name; its members are computed when asked, never stored.
public struct Segment: Sendable {
    public static let idPrefix = "seg"

    public var id: String
    public var workspaceID: String
    public var name: String
    /// The rule as it was given (and validated): what the API returns and the rule builder edits.
    public var ruleJSON: JSONValue
    public var rule: SegmentRule
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, workspaceID: String, name: String, ruleJSON: JSONValue, rule: SegmentRule, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.ruleJSON = ruleJSON
        self.rule = rule
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
