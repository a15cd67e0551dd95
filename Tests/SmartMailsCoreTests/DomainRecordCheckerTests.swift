import SmartMailsCore
import Testing

/// The comparison rules, one per kind of record, on the shapes real zones hold.
@Suite struct DomainRecordCheckerTests {
    private static func check(_ purpose: DNSRecordSpec.Purpose, expected: String, found: [String]) -> RecordCheck {
        let spec = DNSRecordSpec(purpose: purpose, type: purpose == .returnPath ? .mx : .txt, name: "example.com", value: expected)
        return DomainRecordChecker.check(spec, found: .success(found))
    }

    @Test func aDKIMRecordMatchesOnItsKeyAndAlgorithmWhateverItsSpacing() {
        let ours = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
        #expect(Self.check(.dkim, expected: ours, found: ["v=DKIM1;k=ed25519;p=11qYAYKxCrfVS/7TyWQ HOg7hcvPapiMlrwIaaPcHURo="]).state == .verified)
        #expect(Self.check(.dkim, expected: ours, found: ["v=DKIM1; k=rsa; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="]).state == .mismatch)
        // RSA is the default algorithm when k= is absent.
        #expect(Self.check(.dkim, expected: "v=DKIM1; k=rsa; p=AAA", found: ["v=DKIM1; p=AAA"]).state == .verified)
        #expect(Self.check(.dkim, expected: ours, found: ["some other text"]).state == .missing)
    }

    @Test func spfNeedsOneRecordHoldingOurMechanism() {
        let ours = "v=spf1 include:relay.example.net ~all"
        #expect(Self.check(.spf, expected: ours, found: ["v=spf1 mx +include:relay.example.net -all"]).state == .verified)
        #expect(Self.check(.spf, expected: ours, found: ["v=spf1 include:other.example -all"]).state == .mismatch)
        let two = Self.check(.spf, expected: ours, found: ["v=spf1 include:relay.example.net -all", "v=spf1 -all"])
        #expect(two.state == .mismatch && two.found.count == 2)
        // v=spf10 is not an SPF record.
        #expect(Self.check(.spf, expected: ours, found: ["v=spf10 include:relay.example.net", "hello"]).state == .missing)
        #expect(Self.check(.spf, expected: ours, found: []).required)
    }

    @Test func dmarcAndTheReturnPathAreRecommendedChecks() {
        let dmarc = Self.check(.dmarc, expected: "v=DMARC1; p=none", found: ["v = DMARC1; p=reject"])
        #expect(dmarc.state == .verified && !dmarc.required)
        #expect(Self.check(.returnPath, expected: "10 mx.smartmails.example.", found: ["20 MX.SmartMails.example"]).state == .verified)
        #expect(Self.check(.returnPath, expected: "10 mx.smartmails.example.", found: ["10 mx.other.example"]).state == .mismatch)
    }

    @Test func aFailedLookupKeepsAnEarlierVerdict() {
        let spec = DNSRecordSpec(purpose: .spf, type: .txt, name: "example.com", value: "v=spf1 a:mx.example ~all")
        let failed = DomainRecordChecker.check(spec, found: .failure(.init("the DNS server answered SERVFAIL")))
        #expect(failed.state == .error && failed.detail == "the DNS server answered SERVFAIL")
        let earlier = Timestamp(millisecondsSinceEpoch: 1_000)
        #expect(DomainVerification(checkedAt: Timestamp(millisecondsSinceEpoch: 2_000), records: [failed]).verifiedAt(previously: earlier) == earlier)
        let passed = Self.check(.spf, expected: "v=spf1 a:mx.example ~all", found: ["v=spf1 a:mx.example ~all"])
        let now = Timestamp(millisecondsSinceEpoch: 3_000)
        #expect(DomainVerification(checkedAt: now, records: [passed]).verifiedAt(previously: nil) == now)
        #expect(DomainVerification(checkedAt: now, records: [passed]).verifiedAt(previously: earlier) == earlier)
        let lost = Self.check(.spf, expected: "v=spf1 a:mx.example ~all", found: [])
        #expect(DomainVerification(checkedAt: now, records: [lost]).verifiedAt(previously: earlier) == nil)
    }
}
