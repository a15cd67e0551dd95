#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import SMTPKit

/// Optional DKIM signing on the send path, with SMTPKit's DKIMSigner: the signature field is computed per message and put in front.
struct BenchSigner: Sendable {
    private let signer: DKIMSigner?

    init(_ algorithm: String?) throws {
        switch algorithm {
        case nil, "off":
            self.signer = nil
        case "rsa":
            self.signer = try DKIMSigner(domain: "sender.test", selector: "bench", key: try DKIMPrivateKey.generateRSA(bits: 2048))
        case "ed25519":
            self.signer = try DKIMSigner(domain: "sender.test", selector: "bench", key: DKIMPrivateKey.generateEd25519())
        default:
            print("unknown --dkim \(algorithm ?? ""), use rsa or ed25519")
            exit(2)
        }
    }

    /// Signs `message` in place (the field goes into its headroom), so every message is really signed, at send time.
    func prepare(_ message: inout ByteBuffer) throws -> SMTPPreparedMessage {
        try signer?.prependSignature(to: &message)
        return SMTPPreparedMessage(message)
    }
}
