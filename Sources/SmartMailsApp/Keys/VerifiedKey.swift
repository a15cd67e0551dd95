import SmartMailsCore

/// A key as the verifier hands it to a request: the stored key and its in-memory rate-limit cell. A class, so that the
/// cache and every request of the key share one object rather than copying the key's strings.
public final class VerifiedKey: Sendable {
    public let key: APIKey
    /// The key's in-memory rate-limit state, shared by every secret of the key and every reload; nil when limits are
    /// kept elsewhere (in PostgreSQL, for several nodes).
    public let rateLimitCell: GCRACell?

    public init(_ key: APIKey, rateLimitCell: GCRACell? = nil) {
        self.key = key
        self.rateLimitCell = rateLimitCell
    }

    public var id: String { key.id }
    public var workspaceID: String { key.workspaceID }
    public var scopes: ScopeSet { key.scopes }
    public var rateLimit: RateLimitPolicy { key.rateLimit }
}
