import Foundation
import SMTPKit
import Testing

/// Key generation, PEM round trips (including openssl-made keys) and the DNS record to publish.
@Suite struct DKIMKeyTests {
    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: MIMETestSupport.fixtures.appendingPathComponent("DKIM/\(name)"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func generatedKeysRoundTripThroughPEM() throws {
        for key in [DKIMTestSupport.rsaKey, DKIMTestSupport.ed25519Key] {
            let pem = key.pemRepresentation
            #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
            let reloaded = try DKIMPrivateKey(pemRepresentation: pem)
            #expect(reloaded.algorithm == key.algorithm)
            #expect(reloaded.publicKeyBase64 == key.publicKeyBase64)
            #expect(key.publicKeyPEMRepresentation.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        }
    }

    @Test func opensslKeysImportWithTheSamePublicKey() async throws {
        let rsa = try DKIMPrivateKey(pemRepresentation: try Self.fixture("test-rsa-pkcs1.pem"))
        #expect(rsa.algorithm == .rsaSHA256)
        #expect(rsa.publicKeyBase64 == (try Self.fixture("test-rsa-public.b64")))
        let ed = try DKIMPrivateKey(pemRepresentation: try Self.fixture("test-ed25519.pem"))
        #expect(ed.algorithm == .ed25519SHA256)
        #expect(ed.publicKeyBase64 == (try Self.fixture("test-ed25519-public.b64")))
        // Our PKCS#8 output for the openssl Ed25519 key is byte-identical to openssl's.
        #expect(ed.pemRepresentation.trimmingCharacters(in: .whitespacesAndNewlines) == (try Self.fixture("test-ed25519.pem")))
        // And an imported key signs mail that verifies.
        let signer = try DKIMSigner(domain: "example.com", selector: "ossl", key: ed)
        let signed = try signer.sign(try DKIMTestSupport.sampleMessage(bodyRepeats: 1))
        #expect(try await DKIMTestSupport.verify(signed, record: ed.dnsRecord(selector: "ossl", domain: "example.com")).passed == [true])
    }

    @Test func garbageIsRefused() {
        #expect(throws: DKIMError.self) { try DKIMPrivateKey(pemRepresentation: "not a key") }
        #expect(throws: DKIMError.self) {
            try DKIMPrivateKey(pemRepresentation: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
        }
    }

    @Test func dnsRecordText() throws {
        let rsa = DKIMTestSupport.rsaKey.dnsRecord(selector: "s2025", domain: "example.com")
        #expect(rsa.name == "s2025._domainkey.example.com")
        #expect(rsa.value.hasPrefix("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"))
        let chunks = rsa.zoneFileValue.split(separator: "\" \"")
        #expect(chunks.count == 2)
        #expect(rsa.zoneFileValue.replacingOccurrences(of: "\" \"", with: "").dropFirst().dropLast() == Substring(rsa.value))
        #expect(chunks.allSatisfy { $0.count <= 256 })
        let ed = DKIMTestSupport.ed25519Key.dnsRecord(selector: "ed", domain: "example.com")
        #expect(ed.value.hasPrefix("v=DKIM1; k=ed25519; p="))
        #expect(ed.value.count == "v=DKIM1; k=ed25519; p=".count + 44)
        #expect(ed.zoneFileLine == "ed._domainkey.example.com. IN TXT ( \"\(ed.value)\" )")
    }
}
