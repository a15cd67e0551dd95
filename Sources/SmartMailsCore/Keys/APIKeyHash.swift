import Crypto

/// The SHA-256 digest of a token: what storage keeps (as 64 lowercase hex characters) and what the verifier's cache
/// is keyed by. Held as four words, so hashing and comparing it on every request allocates nothing.
public struct APIKeyHash: Hashable, Sendable, CustomStringConvertible {
    private let words: (UInt64, UInt64, UInt64, UInt64)

    public init(token: String) {
        self.init(token: token[...])
    }

    /// Hashes the token where it lies (e.g. inside the Authorization header), without copying it to a string.
    public init(token: Substring) {
        var token = token
        let digest = token.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        words = digest.withUnsafeBytes { raw in
            (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
             raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
    }

    /// Reads the stored form; text that is not 64 hex digits yields a hash no token has.
    public init(hex: String) {
        var bytes = [UInt8](repeating: 0, count: 32)
        let digits = Array(hex.utf8)
        if digits.count == 64 {
            for index in 0..<32 {
                bytes[index] = (Self.nibble(digits[2 * index]) << 4) | Self.nibble(digits[2 * index + 1])
            }
        }
        words = bytes.withUnsafeBytes { raw in
            (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
             raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
    }

    /// The stored form: 64 lowercase hex characters.
    public var hex: String {
        withUnsafeBytes(of: words) { Hex.encode($0) }
    }

    public var description: String { hex }

    public static func == (lhs: APIKeyHash, rhs: APIKeyHash) -> Bool {
        lhs.words == rhs.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    private static func nibble(_ digit: UInt8) -> UInt8 {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x61...0x66: digit - 0x61 + 10
        case 0x41...0x46: digit - 0x41 + 10
        default: 0
        }
    }
}
