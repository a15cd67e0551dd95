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

    /// Compares secrets in time that does not depend on where they first differ.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
