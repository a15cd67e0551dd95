/// An API key as stored: everything but the secret, which exists only as hashes in `APIKeySecret` rows.
public struct APIKey: Sendable, Hashable {
    public var id: String
    public var workspaceID: String
    public var name: String
    public var mode: APIKeyMode
    /// `sm_live_AbCd`: the mode prefix and the first secret characters of the current secret.
    public var displayPrefix: String
    public var lastFour: String
    public var scopes: ScopeSet
    public var allowedIPs: IPAllowlist
    public var rateLimit: RateLimitPolicy
    public var expiresAt: Timestamp?
    public var createdAt: Timestamp
    /// The key or user that created this one (`key_…`, `usr_…`), or nil when the server bootstrapped it.
    public var createdBy: String?
    public var updatedAt: Timestamp
    public var lastUsedAt: Timestamp?
    public var lastUsedIP: String?
    public var revokedAt: Timestamp?
    /// The `from` domains it may send from and its daily recipient quota.
    public var sendingLimits: SendingLimits

    public static let idPrefix = "key"

    public init(
        id: String, workspaceID: String, name: String, mode: APIKeyMode, displayPrefix: String, lastFour: String,
        scopes: ScopeSet, allowedIPs: IPAllowlist, rateLimit: RateLimitPolicy, expiresAt: Timestamp?,
        createdAt: Timestamp, createdBy: String?, updatedAt: Timestamp, lastUsedAt: Timestamp? = nil,
        lastUsedIP: String? = nil, revokedAt: Timestamp? = nil, sendingLimits: SendingLimits = .none
    ) {
        self.sendingLimits = sendingLimits
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.mode = mode
        self.displayPrefix = displayPrefix
        self.lastFour = lastFour
        self.scopes = scopes
        self.allowedIPs = allowedIPs
        self.rateLimit = rateLimit
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = updatedAt
        self.lastUsedAt = lastUsedAt
        self.lastUsedIP = lastUsedIP
        self.revokedAt = revokedAt
    }

    /// `sm_live_AbCd…wxyz`, what lists and logs show.
    public var redacted: String { displayPrefix + "…" + lastFour }

    /// Decides whether this key, presented with a secret valid until `secretExpiresAt`, may act now from `clientIP`.
    /// Revocation and expiry are reported as such so that an integrator can tell why a key stopped working.
    public func authorize(at now: Timestamp, secretExpiresAt: Timestamp?, clientIP: IPAddress?) throws(KeyRejection) {
        try accessRules.authorize(at: now, secretExpiresAt: secretExpiresAt, clientIP: clientIP)
    }

    /// The fields `authorize` decides on, apart from the rest of the key.
    public var accessRules: AccessRules {
        AccessRules(revokedAt: revokedAt, expiresAt: expiresAt, allowedIPs: allowedIPs)
    }

    /// What decides whether a key may be used for a request. A type of its own so that a server can keep these few
    /// fields at hand for every request without copying the whole key (with its strings) each time.
    public struct AccessRules: Sendable, Hashable {
        public let revokedAt: Timestamp?
        public let expiresAt: Timestamp?
        public let allowedIPs: IPAllowlist

        public func authorize(at now: Timestamp, secretExpiresAt: Timestamp?, clientIP: IPAddress?) throws(KeyRejection) {
            if let revokedAt, revokedAt <= now { throw .revoked(at: revokedAt) }
            if let expiresAt, expiresAt <= now { throw .expired(at: expiresAt) }
            if let secretExpiresAt, secretExpiresAt <= now { throw .rolledSecretExpired(at: secretExpiresAt) }
            guard allowedIPs.allows(clientIP) else { throw .ipNotAllowed(clientIP) }
        }
    }
}

/// Why an existing key may not be used for a request.
public enum KeyRejection: Error, Equatable, Sendable {
    case revoked(at: Timestamp)
    case expired(at: Timestamp)
    /// The key was rolled and this (previous) secret's overlap ended.
    case rolledSecretExpired(at: Timestamp)
    case ipNotAllowed(IPAddress?)
}
