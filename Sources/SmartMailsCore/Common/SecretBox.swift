import Crypto
import Foundation

/// Seals secrets kept in the database (DKIM private keys) with AES-256-GCM under the server's secret key
/// (`SMARTMAILS_SECRET_KEY`). Each value is bound to what it belongs to (`context`, e.g. the domain id and key
/// kind), so a sealed value copied to another row does not open there.
public struct SecretBox: Sendable {
    /// Sealed values start with this, so a later key format or algorithm can be told apart.
    static let version = "v1:"
    private let key: SymmetricKey

    /// `key` must be 32 bytes.
    public init(key: [UInt8]) throws(SecretKeyError) {
        guard key.count == 32 else { throw SecretKeyError("the secret key must be 32 bytes; it is \(key.count)") }
        self.key = SymmetricKey(data: key)
    }

    /// A key as `SMARTMAILS_SECRET_KEY` gives it: 64 hex digits or 32 bytes in (URL-safe) base64.
    public init(encodedKey text: String) throws(SecretKeyError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count == 64, let bytes = Hex.decode(trimmed) {
            try self.init(key: bytes)
            return
        }
        var base64 = trimmed.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else {
            throw SecretKeyError("the secret key must be 64 hex digits or 32 bytes of base64")
        }
        try self.init(key: Array(data))
    }

    /// A new random key, encoded as `init(encodedKey:)` reads it (base64).
    public static func generateEncodedKey() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// A value that identifies the key without revealing it (an HMAC of a fixed label), so that nodes sharing one
    /// database can tell whether they were given the same key.
    public var fingerprint: String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Array("smartmails secret key fingerprint v1".utf8), using: key))
    }

    public func seal(_ plaintext: String, context: String) throws -> String {
        let box = try AES.GCM.seal(Array(plaintext.utf8), using: key, authenticating: Array(context.utf8))
        guard let combined = box.combined else { throw SecretKeyError("sealing failed") }
        return Self.version + combined.base64EncodedString()
    }

    /// The plaintext, or an error when the value was sealed under another key or context, or altered.
    public func open(_ sealed: String, context: String) throws(SecretKeyError) -> String {
        guard sealed.hasPrefix(Self.version), let data = Data(base64Encoded: String(sealed.dropFirst(Self.version.count))) else {
            throw SecretKeyError("not a sealed value")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: data)
            let plaintext = try AES.GCM.open(box, using: key, authenticating: Array(context.utf8))
            guard let text = String(bytes: plaintext, encoding: .utf8) else { throw SecretKeyError("not text") }
            return text
        } catch {
            throw SecretKeyError("the sealed value does not open with this secret key (another key, or altered)")
        }
    }
}

public struct SecretKeyError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
