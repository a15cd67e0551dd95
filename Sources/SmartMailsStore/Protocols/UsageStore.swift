import SmartMailsCore

/// Per-key request counts by minute and status class, and each key's last use.
public protocol UsageStore: Sendable {
    /// Adds the samples to the stored counts and moves each key's last use forward; written in batches.
    func recordUsage(_ samples: [UsageSample], lastUses: [KeyLastUse]) async throws
    func usage(keyID: String, workspaceID: String, since: Timestamp) async throws -> [UsageSample]
}

/// When and from where a key was last used.
public struct KeyLastUse: Sendable, Hashable {
    public var keyID: String
    public var at: Timestamp
    public var ip: String?

    public init(keyID: String, at: Timestamp, ip: String?) {
        self.keyID = keyID
        self.at = at
        self.ip = ip
    }
}
