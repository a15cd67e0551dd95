import Foundation
import NIOCore
import SMTPKit
import Testing

/// The shape of the DKIM-Signature field: tags present, `l=` absent, over-signing, folding, and refusals.
@Suite struct DKIMSignatureFormatTests {
    static let date = Date(timeIntervalSince1970: 1_764_091_080)

    static func tags(_ header: String) -> [String: String] {
        let value = header.dropFirst("DKIM-Signature:".count)
        var tags: [String: String] = [:]
        for spec in value.split(separator: ";") {
            let parts = spec.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let strip = { (s: Substring) in s.filter { !$0.isWhitespace } }
            tags[strip(parts[0])] = strip(parts[1])
        }
        return tags
    }

    @Test func tagsAreComplete() throws {
        let signer = try DKIMSigner(
            domain: "example.com", selector: "s2025", key: DKIMTestSupport.rsaKey, expiration: 7 * 86_400
        )
        let header = try signer.signatureHeader(for: try DKIMTestSupport.sampleMessage(), at: Self.date)
        #expect(header.hasPrefix("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;"))
        #expect(header.hasSuffix("\r\n"))
        let tags = Self.tags(header)
        #expect(tags["t"] == "1764091080")
        #expect(tags["x"] == "1764695880")
        #expect(tags["s"] == "s2025")
        #expect(tags["l"] == nil)
        #expect(tags["bh"]?.count == 44)
        #expect(Data(base64Encoded: tags["b"] ?? "")?.count == 256)
        let h = try #require(tags["h"]).split(separator: ":").map(String.init)
        #expect(h.filter { $0 == "from" }.count == 2, "From occurs once, so it is listed twice")
        #expect(h.filter { $0 == "subject" }.count == 2)
        #expect(h.filter { $0 == "to" }.count == 1)
        #expect(h.contains("list-unsubscribe-post"))
        #expect(!h.contains("x-campaign"))
        #expect(!h.contains("in-reply-to"), "absent headers that are not over-signed stay out of h=")
        for line in header.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 78, "\(line)")
        }
    }

    @Test func ed25519SignatureIsSixtyFourBytes() throws {
        let header = try DKIMTestSupport.signer(.ed25519SHA256).signatureHeader(for: try DKIMTestSupport.sampleMessage(), at: Self.date)
        let tags = Self.tags(header)
        #expect(tags["a"] == "ed25519-sha256")
        #expect(Data(base64Encoded: tags["b"] ?? "")?.count == 64)
    }

    /// The RFC 6376 §3.4.5 example, checked through bh= against hashes computed with Python's hashlib.
    @Test func bodyCanonicalisationMatchesRFCExample() throws {
        let message = Array("From: x@example.com\r\nA: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n".utf8)
        let expected: [DKIMCanonicalization.Mode: String] = [
            .relaxed: "unak6JHq0wL+Q1HP7dW1tjBx9FLA6DffoZ0qrLwbbpo=",
            .simple: "NOeivbQlDH9TmNKJUw7D53wZfsk8YMZ/hTuVVwTgi8s=",
        ]
        for (mode, bodyHash) in expected {
            let signer = try DKIMSigner(
                domain: "example.com", selector: "s", key: DKIMTestSupport.ed25519Key,
                canonicalization: .init(header: mode, body: mode), signedHeaders: ["From", "A", "B"]
            )
            #expect(Self.tags(try signer.signatureHeader(for: message, at: Self.date))["bh"] == bodyHash)
        }
        let empty = Array("From: x@example.com\r\n\r\n".utf8)
        let relaxed = try DKIMTestSupport.signer(.ed25519SHA256, .relaxed).signatureHeader(for: empty, at: Self.date)
        let simple = try DKIMTestSupport.signer(.ed25519SHA256, .simple).signatureHeader(for: empty, at: Self.date)
        #expect(Self.tags(relaxed)["bh"] == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
        #expect(Self.tags(simple)["bh"] == "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=")
    }

    @Test func byteBufferAndArrayAgree() throws {
        let message = try DKIMTestSupport.sampleMessage()
        let signer = try DKIMTestSupport.signer(.rsaSHA256)  // PKCS#1 v1.5 is deterministic
        let fromArray = try signer.sign(message, at: Self.date)
        let fromBuffer = try signer.sign(ByteBuffer(bytes: message), at: Self.date)
        #expect(Array(fromBuffer.readableBytesView) == fromArray)
        #expect(try signer.signatureHeader(for: ByteBuffer(bytes: message), at: Self.date) == signer.signatureHeader(for: message, at: Self.date))
    }

    @Test func refusals() throws {
        let key = DKIMTestSupport.ed25519Key
        #expect(throws: DKIMError.invalidDomain("exa mple.com")) { try DKIMSigner(domain: "exa mple.com", selector: "s", key: key) }
        #expect(throws: DKIMError.invalidDomain("example.com;x=1")) { try DKIMSigner(domain: "example.com;x=1", selector: "s", key: key) }
        #expect(throws: DKIMError.invalidSelector("s\r\n")) { try DKIMSigner(domain: "example.com", selector: "s\r\n", key: key) }
        #expect(throws: DKIMError.invalidHeaderName("Sub ject")) {
            try DKIMSigner(domain: "example.com", selector: "s", key: key, signedHeaders: ["Sub ject"])
        }
        let signer = try DKIMTestSupport.signer(.ed25519SHA256)
        #expect(throws: DKIMError.missingFrom) { try signer.sign(Array("To: a@b.c\r\n\r\nhi\r\n".utf8)) }
        #expect(throws: DKIMError.self) { try signer.sign(Array("From: a@b.c\r\nnot a header\r\n\r\nhi\r\n".utf8)) }
        #expect(throws: DKIMError.self) { try signer.sign(Array(" From: a@b.c\r\n\r\nhi\r\n".utf8)) }
    }
}
