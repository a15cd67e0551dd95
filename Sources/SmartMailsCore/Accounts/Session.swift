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

/// A random secret for a cookie or a one-time link, and the hash that is stored in its place.
public struct SecretToken: Sendable, Hashable {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// 32 base62 characters: about 190 bits.
    public static func generate() -> SecretToken {
        var generator = SystemRandomNumberGenerator()
        return SecretToken(rawValue: Base62.random(count: 32, using: &generator))
    }

    public var hash: String { APIKeyHash(token: rawValue).hex }
}

/// A one-time link that lets its holder set the account's password and sign in: printed on first start for the
/// owner, by `smartmails users create` and `users reset-password`, and (later) mailed with invitations.
public struct PasswordLink: Sendable, Hashable {
    public static let lifetimeSeconds: Int64 = 7 * 86_400

    public var tokenHash: String
    public var accountID: String
    public var workspaceID: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp

    public init(tokenHash: String, accountID: String, workspaceID: String, createdAt: Timestamp, expiresAt: Timestamp) {
        self.tokenHash = tokenHash
        self.accountID = accountID
        self.workspaceID = workspaceID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

public enum PasswordRules {
    /// bcrypt reads at most 72 bytes and stops at a NUL; longer or NUL-holding passwords would be cut silently.
    public static func validate(_ password: String) throws(ValidationError) {
        let bytes = password.utf8.count
        guard bytes >= 10 else { throw ValidationError(param: "password", message: "must be at least 10 characters") }
        guard bytes <= 72 else { throw ValidationError(param: "password", message: "must be at most 72 bytes (bcrypt reads no more)") }
        guard !password.utf8.contains(0) else { throw ValidationError(param: "password", message: "must not contain NUL") }
    }
}
