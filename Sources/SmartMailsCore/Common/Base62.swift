/// Base62 (0-9, A-Z, a-z): the alphabet of key secrets and checksums, safe in URLs, headers and double-click selection.
public enum Base62 {
    public static let alphabet: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    @inlinable
    public static func isBase62(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// The digit value of a base62 character, or nil for any other byte.
    @inlinable
    public static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x5A: byte - 0x41 + 10
        case 0x61...0x7A: byte - 0x61 + 36
        default: nil
        }
    }

    /// Encodes `value` as exactly `width` base62 digits, most significant first, left-padded with "0".
    public static func encode(_ value: UInt64, width: Int) -> String {
        var digits = [UInt8](repeating: alphabet[0], count: width)
        var remaining = value
        var index = width - 1
        while index >= 0 {
            digits[index] = alphabet[Int(remaining % 62)]
            remaining /= 62
            index -= 1
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// Draws `count` uniformly distributed base62 characters; rejection sampling avoids the modulo bias of `byte % 62`.
    public static func random<G: RandomNumberGenerator>(count: Int, using generator: inout G) -> String {
        var output = [UInt8]()
        output.reserveCapacity(count)
        while output.count < count {
            let byte = UInt8.random(in: 0...255, using: &generator)
            if byte < 248 { output.append(alphabet[Int(byte % 62)]) }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
