/// A signed-in browser: the cookie carries `SessionToken`'s secret; only its SHA-256 is stored, as for API keys.
public struct Session: Sendable, Hashable {
    /// Sessions end this long after their last use, and at the latest `maximumSeconds` after sign-in.
    public static let idleSeconds: Int64 = 12 * 3600
    public static let maximumSeconds: Int64 = 14 * 86_400

    public var tokenHash: String
    public var accountID: String
    /// The workspace the dashboard shows; the member switches between theirs.
    public var workspaceID: String
    /// Sent back in every form that changes something; a request without it is refused (CSRF).
    public var csrfToken: String
    public var createdAt: Timestamp
    public var lastSeenAt: Timestamp
    public var ip: String?

    public init(tokenHash: String, accountID: String, workspaceID: String, csrfToken: String, createdAt: Timestamp, lastSeenAt: Timestamp, ip: String?) {
        self.tokenHash = tokenHash
        self.accountID = accountID
        self.workspaceID = workspaceID
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.ip = ip
    }

    public func isLive(at now: Timestamp) -> Bool {
        now < lastSeenAt.adding(seconds: Self.idleSeconds) && now < createdAt.adding(seconds: Self.maximumSeconds)
    }
}
