/// Requests of one key in one minute with one status class (2 for 2xx … 5 for 5xx): the unit of usage metering.
public struct UsageSample: Sendable, Hashable {
    public var keyID: String
    public var workspaceID: String
    public var minute: Timestamp
    public var statusClass: Int
    public var count: Int

    public init(keyID: String, workspaceID: String, minute: Timestamp, statusClass: Int, count: Int) {
        self.keyID = keyID
        self.workspaceID = workspaceID
        self.minute = minute
        self.statusClass = statusClass
        self.count = count
    }
}
