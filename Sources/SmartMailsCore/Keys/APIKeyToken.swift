import Crypto

/// The secret an integration presents: `sm_live_` or `sm_test_`, 32 base62 characters (about 190 bits), and a
/// 6-character base62 CRC-32 of everything before it. The checksum lets a mistyped or truncated key be refused
/// without a database read, and the fixed shape lets secret scanners recognise ours.
public struct APIKeyToken: Sendable, Hashable {
    public static let secretLength = 32
    public static let checksumLength = 6
    public static let prefixLength = 8  // "sm_live_" and "sm_test_"
    public static let length = prefixLength + secretLength + checksumLength

    /// The full token text. Never log it: use `redacted`.
    public let rawValue: String
    public let mode: APIKeyMode

    /// Parses and checks shape and checksum only; whether the key exists is the verifier's question. Runs on every
    /// request, so it works on the UTF-8 bytes in place and allocates only the token's own string.
    public init(parsing text: String) throws(APIKeyFormatError) {
        try self.init(parsing: text[...])
    }

    /// Concrete rather than generic over `StringProtocol`: a generic call across modules is resolved at run time,
    /// which cost more than the whole check.
    public init(parsing text: Substring) throws(APIKeyFormatError) {
        self.mode = try Self.validate(text)
        self.rawValue = String(text)
    }

    /// Checks length, prefix, alphabet and checksum without keeping the text: all a request's key check needs
    /// before hashing it (`APIKeyHash(token:)`), so the presented key is never copied into a new string.
    public static func validate(_ text: Substring) throws(APIKeyFormatError) -> APIKeyMode {
        var text = text
        return try text.withUTF8 { bytes in Result { () throws(APIKeyFormatError) in try validate(bytes: bytes) } }.get()
    }

    private static func validate(bytes: UnsafeBufferPointer<UInt8>) throws(APIKeyFormatError) -> APIKeyMode {
        guard bytes.count == length else { throw .wrongLength }
        // The prefix compared as one word: a static array would be retained and released on every request, a
        // reference-count write on memory that requests on all cores share.
        let mode: APIKeyMode
        switch UnsafeRawBufferPointer(bytes).loadUnaligned(as: UInt64.self) {
        case livePrefix: mode = .live
        case testPrefix: mode = .test
        default: throw .unknownPrefix
        }
        var crc = CRC32.Running()
        for index in 0..<prefixLength {
            crc.update(bytes[index])
        }
        for index in prefixLength..<(prefixLength + secretLength) {
            guard Base62.value(of: bytes[index]) != nil else { throw .invalidCharacter }
            crc.update(bytes[index])
        }
        var received: UInt64 = 0
        for index in (prefixLength + secretLength)..<length {
            guard let digit = Base62.value(of: bytes[index]) else { throw .invalidCharacter }
            received = received * 62 + UInt64(digit)
        }
        guard received == UInt64(crc.value) else { throw .badChecksum }
        return mode
    }

    private static let livePrefix = prefixWord("sm_live_")
    private static let testPrefix = prefixWord("sm_test_")

    /// The 8 prefix bytes as they lie in memory, read as one integer.
    private static func prefixWord(_ prefix: StaticString) -> UInt64 {
        precondition(prefix.utf8CodeUnitCount == MemoryLayout<UInt64>.size)
        return UnsafeRawPointer(prefix.utf8Start).loadUnaligned(as: UInt64.self)
    }

    /// Draws a new token from the system's cryptographic random source.
    public static func generate(mode: APIKeyMode) -> APIKeyToken {
        var generator = SystemRandomNumberGenerator()
        return generate(mode: mode, using: &generator)
    }

    public static func generate<G: RandomNumberGenerator>(mode: APIKeyMode, using generator: inout G) -> APIKeyToken {
        let signed = mode.tokenPrefix + Base62.random(count: secretLength, using: &generator)
        let checksum = Base62.encode(UInt64(CRC32.checksum(signed.utf8)), width: checksumLength)
        // The text is valid by construction, so parsing cannot fail.
        return try! APIKeyToken(parsing: signed + checksum)
    }

    /// SHA-256 of the whole token: what storage keeps. A 190-bit random secret needs no slow password hash.
    public var hash: APIKeyHash { APIKeyHash(token: rawValue) }

    /// What lists show: the mode prefix and the first four secret characters, e.g. `sm_live_AbCd`.
    public var displayPrefix: String { String(rawValue.prefix(Self.prefixLength + 4)) }

    /// The last four characters, for telling keys apart in lists.
    public var lastFour: String { String(rawValue.suffix(4)) }

    /// Safe for logs: `sm_live_AbCd…wxyz`.
    public var redacted: String { displayPrefix + "…" + lastFour }
}

/// Why a presented string is not an API key at all (as opposed to an unknown or revoked one).
public enum APIKeyFormatError: Error, Equatable, Sendable {
    case wrongLength
    case unknownPrefix
    case invalidCharacter
    case badChecksum
}
