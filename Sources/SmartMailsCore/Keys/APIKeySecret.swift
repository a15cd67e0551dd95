/// One secret of a key, as its hash. A key has one current secret and, after a roll, previous ones that keep
/// working until their `expiresAt`, so deployments can switch over without downtime.
public struct APIKeySecret: Sendable, Hashable {
    public var hash: APIKeyHash
    public var keyID: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp?

    public init(hash: APIKeyHash, keyID: String, createdAt: Timestamp, expiresAt: Timestamp?) {
        self.hash = hash
        self.keyID = keyID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
