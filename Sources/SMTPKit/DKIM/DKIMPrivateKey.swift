import Crypto
import _CryptoExtras

/// A DKIM signing key (RSA 2048+ or Ed25519): generate it, store it as PEM, and publish its DNS record.
public struct DKIMPrivateKey: Sendable {
    enum Backing: Sendable {
        case rsa(_RSA.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)
    }

    let backing: Backing

    public init(rsa key: _RSA.Signing.PrivateKey) { backing = .rsa(key) }
    public init(ed25519 key: Curve25519.Signing.PrivateKey) { backing = .ed25519(key) }

    /// A new RSA key; 2048 bits is what receivers expect (larger keys do not fit one TXT string).
    public static func generateRSA(bits: Int = 2048) throws -> DKIMPrivateKey {
        do {
            return Self(rsa: try _RSA.Signing.PrivateKey(keySize: .init(bitCount: bits)))
        } catch {
            throw DKIMError.invalidKey("cannot generate a \(bits)-bit RSA key: \(error)")
        }
    }

    public static func generateEd25519() -> DKIMPrivateKey { Self(ed25519: Curve25519.Signing.PrivateKey()) }

    /// Reads PKCS#8 (`PRIVATE KEY`, RSA or Ed25519) or PKCS#1 (`RSA PRIVATE KEY`) PEM, as openssl writes them.
    public init(pemRepresentation pem: String) throws {
        guard let (label, der) = DKIMPEM.decode(pem) else { throw DKIMError.invalidKey("no PEM block found") }
        if label == "PRIVATE KEY", let seed = Self.ed25519Seed(fromPKCS8: der) {
            do {
                backing = .ed25519(try Curve25519.Signing.PrivateKey(rawRepresentation: seed))
            } catch {
                throw DKIMError.invalidKey("bad Ed25519 key: \(error)")
            }
            return
        }
        do {
            backing = .rsa(try _RSA.Signing.PrivateKey(pemRepresentation: pem))
        } catch {
            throw DKIMError.invalidKey("not an RSA (2048 bits or more) or Ed25519 private key: \(error)")
        }
    }

    public var algorithm: DKIMAlgorithm {
        switch backing {
        case .rsa: .rsaSHA256
        case .ed25519: .ed25519SHA256
        }
    }

    /// PKCS#8 PEM for either key type; store it with the same care as any secret.
    public var pemRepresentation: String {
        switch backing {
        case .rsa(let key): key.pkcs8PEMRepresentation
        case .ed25519(let key): DKIMPEM.encode(label: "PRIVATE KEY", der: Self.ed25519PKCS8Prefix + Array(key.rawRepresentation))
        }
    }

    /// The public key as SubjectPublicKeyInfo PEM (`openssl pkey -pubout` format).
    public var publicKeyPEMRepresentation: String {
        switch backing {
        case .rsa(let key): key.publicKey.pemRepresentation
        case .ed25519(let key): DKIMPEM.encode(label: "PUBLIC KEY", der: Self.ed25519SPKIPrefix + Array(key.publicKey.rawRepresentation))
        }
    }

    /// The `p=` value: base64 SubjectPublicKeyInfo for RSA (RFC 6376), the raw 32-byte key for Ed25519 (RFC 8463).
    public var publicKeyBase64: String {
        switch backing {
        case .rsa(let key): MIMEBase64.encode(key.publicKey.derRepresentation)
        case .ed25519(let key): MIMEBase64.encode(key.publicKey.rawRepresentation)
        }
    }

    /// The TXT record to publish at `selector._domainkey.domain`.
    public func dnsRecord(selector: String, domain: String) -> DKIMDNSRecord {
        DKIMDNSRecord(
            name: "\(selector)._domainkey.\(domain)",
            value: "v=DKIM1; k=\(algorithm.keyType); p=\(publicKeyBase64)"
        )
    }

    /// Signs the SHA-256 of the canonicalised headers: PKCS#1 v1.5 for RSA; for Ed25519, RFC 8463 signs the hash itself.
    func signature(forDigest digest: SHA256.Digest) throws -> [UInt8] {
        do {
            switch backing {
            case .rsa(let key):
                return Array(try key.signature(for: digest, padding: .insecurePKCS1v1_5).rawRepresentation)
            case .ed25519(let key):
                return Array(try key.signature(for: Array(digest)))
            }
        } catch {
            throw DKIMError.signingFailed("\(error)")
        }
    }

    /// PKCS#8 v1 header for an Ed25519 key (RFC 8410): SEQUENCE, version 0, algorithm 1.3.101.112, OCTET STRING.
    static let ed25519PKCS8Prefix: [UInt8] = [
        0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]
    static let ed25519SPKIPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// The 32-byte seed of an Ed25519 PKCS#8 key (v1, or v2 with the public key appended), nil for other keys.
    static func ed25519Seed(fromPKCS8 der: [UInt8]) -> [UInt8]? {
        guard der.count >= 48, der[0] == 0x30, der[2] == 0x02, der[3] == 0x01, der[4] <= 0x01,
            Array(der[5..<16]) == Array(ed25519PKCS8Prefix[5..<16])
        else { return nil }
        return Array(der[16..<48])
    }
}
