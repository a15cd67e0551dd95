import Crypto

/// The SHA-256 digest of a token as 64 lowercase hex characters: the lookup key in storage and in the verifier cache.
public struct APIKeyHash: Hashable, Sendable, CustomStringConvertible {
    public let hex: String

    public init(token: String) {
        hex = Hex.encode(SHA256.hash(data: Array(token.utf8)))
    }

    public init(hex: String) {
        self.hex = hex
    }

    public var description: String { hex }
}
