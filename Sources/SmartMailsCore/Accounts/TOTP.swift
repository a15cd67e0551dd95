import Crypto

/// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP, HMAC-SHA1, 6 digits, 30 s steps), as every
/// authenticator app computes them.
public struct TOTP: Sendable, Hashable {
    public static let digits = 6
    public static let stepSeconds: Int64 = 30

    public let secret: [UInt8]

    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// 20 random bytes, the size RFC 4226 recommends.
    public static func generate() -> TOTP {
        var generator = SystemRandomNumberGenerator()
        return TOTP(secret: (0..<20).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// The code for the step that holds `time`, with `digits` digits (RFC 6238's test vectors use 8).
    public func code(at time: Timestamp, digits: Int = TOTP.digits) -> String {
        let counter = UInt64(time.millisecondsSinceEpoch / 1000 / Self.stepSeconds)
        let message = (0..<8).map { UInt8(truncatingIfNeeded: counter >> (56 - 8 * $0)) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let value = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let text = String(value % modulus)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// The step a code matches, allowing one step either side for clock drift; nil when it matches none.
    public func matchingStep(_ code: String, at time: Timestamp) -> Int64? {
        let typed = code.filter { $0 != " " }
        guard typed.count == Self.digits else { return nil }
        let step = time.millisecondsSinceEpoch / 1000 / Self.stepSeconds
        for candidate in [step - 1, step, step + 1] {
            let expected = self.code(at: Timestamp(millisecondsSinceEpoch: candidate * Self.stepSeconds * 1000))
            if SecretToken.constantTimeEquals(expected, typed) { return candidate }
        }
        return nil
    }

    /// The secret as authenticator apps take it: RFC 4648 base32, no padding.
    public var base32: String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var text = ""
        var buffer = 0, bits = 0
        for byte in secret {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                text.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { text.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return text
    }

    public init?(base32: String) {
        var bytes: [UInt8] = []
        var buffer = 0, bits = 0
        for character in base32.uppercased() where character != "=" {
            guard let value = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".firstIndex(of: character)?.utf16Offset(in: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") else { return nil }
            buffer = (buffer << 5) | value
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((buffer >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        guard !bytes.isEmpty else { return nil }
        self.init(secret: bytes)
    }

    /// The `otpauth://` URI an authenticator app reads (usually from a QR code; typing the base32 secret works too).
    public func provisioningURI(account: String, issuer: String = "SmartMails") -> String {
        func escape(_ text: String) -> String {
            text.unicodeScalars.map { scalar in
                scalar.properties.isAlphabetic || ("0"..."9").contains(Character(scalar)) || "-._~@".unicodeScalars.contains(scalar)
                    ? String(scalar) : String(scalar.utf8.map { "%" + String($0, radix: 16, uppercase: true) }.joined())
            }.joined()
        }
        return "otpauth://totp/\(escape(issuer)):\(escape(account))?secret=\(base32)&issuer=\(escape(issuer))&digits=6&period=30"
    }
}
