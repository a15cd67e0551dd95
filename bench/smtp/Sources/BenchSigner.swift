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

    func prepare(_ message: ByteBuffer) throws -> SMTPPreparedMessage {
        guard let signer else { return SMTPPreparedMessage(message) }
        let field = try signer.signatureHeader(for: message)
        var signed = ByteBuffer()
        signed.reserveCapacity(field.utf8.count + message.readableBytes)
        signed.writeString(field)
        signed.writeImmutableBuffer(message)
        return SMTPPreparedMessage(signed)
    }
}
