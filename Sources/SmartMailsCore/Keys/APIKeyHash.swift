import Crypto

/// The SHA-256 digest of a token as 64 lowercase hex characters: the lookup key in storage and in the verifier cache.
public struct APIKeyHash: Hashable, Sendable, CustomStringConvertible {
    public let hex: String

    public init(token: String) {
        let digest = SHA256.hash(data: Array(token.utf8))
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        let digits = Array("0123456789abcdef".utf8)
        for byte in digest {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        self.hex = String(decoding: hex, as: UTF8.self)
    }

    public init(hex: String) {
        self.hex = hex
    }

    public var description: String { hex }
}
