import Foundation
import SmartMailsCore
import Testing

@Suite struct SecretBoxTests {
    let box = try! SecretBox(encodedKey: SecretBox.generateEncodedKey())

    @Test func aSealedValueOpensOnlyWithItsKeyAndContext() throws {
        let sealed = try box.seal("-----BEGIN PRIVATE KEY-----\nsecret\n", context: "dkim/dom_1/rsa")
        #expect(sealed.hasPrefix("v1:"))
        #expect(!sealed.contains("PRIVATE"))
        #expect(try box.open(sealed, context: "dkim/dom_1/rsa") == "-----BEGIN PRIVATE KEY-----\nsecret\n")
        // Each seal has its own nonce: the same secret twice is two different values.
        #expect(try box.seal("same", context: "c") != box.seal("same", context: "c"))

        // Copied to another row (another context), under another server key, or altered: it does not open.
        #expect(throws: SecretKeyError.self) { try box.open(sealed, context: "dkim/dom_2/rsa") }
        let other = try SecretBox(encodedKey: SecretBox.generateEncodedKey())
        #expect(throws: SecretKeyError.self) { try other.open(sealed, context: "dkim/dom_1/rsa") }
        var bytes = Array(Data(base64Encoded: String(sealed.dropFirst(3)))!)
        bytes[bytes.count / 2] ^= 0x01
        #expect(throws: SecretKeyError.self) { try box.open("v1:" + Data(bytes).base64EncodedString(), context: "dkim/dom_1/rsa") }
        #expect(throws: SecretKeyError.self) { try box.open("plain text", context: "dkim/dom_1/rsa") }
    }

    @Test func keysAreReadAsHexOrBase64OfExactly32Bytes() throws {
        let hex = String(repeating: "ab", count: 32)
        let fromHex = try SecretBox(encodedKey: hex + "\n")
        let fromBase64 = try SecretBox(encodedKey: Data(repeating: 0xAB, count: 32).base64EncodedString())
        // The same key either way: what one seals, the other opens.
        #expect(try fromBase64.open(fromHex.seal("x", context: "c"), context: "c") == "x")
        #expect(throws: SecretKeyError.self) { try SecretBox(encodedKey: String(repeating: "ab", count: 16)) }
        #expect(throws: SecretKeyError.self) { try SecretBox(encodedKey: "not a key!") }
        #expect(throws: SecretKeyError.self) { try SecretBox(key: [UInt8](repeating: 1, count: 31)) }
    }
}

@Suite struct SendingDomainTests {
    @Test func namesAreNormalisedAndValidated() throws {
        #expect(try SendingDomain.validName(" Mail.Example.COM. ") == "mail.example.com")
        #expect(try SendingDomain.validName("bücher.example") == "xn--bcher-kva.example")
        for bad in ["", "localhost", "a..example", "-a.example", "exa mple.com", "example.com/x", String(repeating: "a", count: 64) + ".com"] {
            #expect(throws: ValidationError.self, "\(bad)") { try SendingDomain.validName(bad) }
        }
        let error = #expect(throws: ValidationError.self) { try SendingDomain.validName("localhost") }
        #expect(error?.param == "name")
    }

    @Test func theRecordsToPublishNameEveryKeyAndTheServersHosts() {
        let keys = [
            DKIMKey(algorithm: .ed25519, selector: "sme202612", publicRecord: "v=DKIM1; k=ed25519; p=AAAA", sealedPrivateKey: "v1:x"),
            DKIMKey(algorithm: .rsa, selector: "smr202612", publicRecord: "v=DKIM1; k=rsa; p=BBBB", sealedPrivateKey: "v1:y"),
        ]
        let domain = SendingDomain(id: "dom_1", workspaceID: "wsp_1", name: "example.com", keys: keys, createdAt: .now, updatedAt: .now)
        let records = domain.records(settings: DomainRecordSettings(spfInclude: nil, inboundHost: "mx.smartmails.example"))
        #expect(records.map(\.name) == [
            "sme202612._domainkey.example.com", "smr202612._domainkey.example.com", "example.com", "_dmarc.example.com", "bounces.example.com",
        ])
        #expect(records.map(\.purpose) == [.dkim, .dkim, .spf, .dmarc, .returnPath])
        #expect(records[0].value == "v=DKIM1; k=ed25519; p=AAAA")
        #expect(records[2].value == "v=spf1 a:mx.smartmails.example ~all")
        #expect(records[3].value.hasPrefix("v=DMARC1; p=none"))
        #expect(records[4].type == .mx && records[4].value == "10 mx.smartmails.example.")
        let relayed = domain.records(settings: DomainRecordSettings(spfInclude: "spf.relay.example", inboundHost: "mx.example"))
        #expect(relayed[2].value == "v=spf1 include:spf.relay.example ~all")
        // A server known only by its address is authorised by it (SPF's `a:` needs a name).
        let byAddress = domain.records(settings: DomainRecordSettings(spfInclude: nil, inboundHost: "203.0.113.7"))
        #expect(byAddress[2].value == "v=spf1 ip4:203.0.113.7 ~all")
        let byV6 = domain.records(settings: DomainRecordSettings(spfInclude: nil, inboundHost: "2001:db8::25"))
        #expect(byV6[2].value == "v=spf1 ip6:2001:db8::25 ~all")
    }
}
