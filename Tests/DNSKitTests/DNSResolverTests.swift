import DNSKit
import NIOCore
import SmartMailsTestSupport
import Testing

/// Lookups through a real DNS server on loopback (dnslib), over UDP and, for a truncated answer, TCP.
@Suite struct DNSResolverTests {
    @Test func recordsAreFoundAndAMissingNameIsAnEmptyAnswer() async throws {
        let long = "v=DKIM1; k=rsa; p=" + String(repeating: "A", count: 400)
        let server = try await LocalDNSServer(records: [
            .init("example.com", "TXT", "v=spf1 include:relay.example.net ~all"),
            .init("example.com", "TXT", "google-site-verification=abc"),
            .init("sel._domainkey.example.com", "TXT", long),
            .init("bounces.example.com", "MX", "10 mx.smartmails.test."),
            .init("alias.example.com", "CNAME", "sel._domainkey.example.com"),
        ])
        let resolver = try DNSResolver(address: server.address)
        #expect(Set(try await resolver.txt("example.com")) == ["v=spf1 include:relay.example.net ~all", "google-site-verification=abc"])
        // Over 255 bytes: published as several strings, read back as one.
        #expect(try await resolver.txt("sel._domainkey.example.com") == [long])
        let mx = try await resolver.mx("bounces.example.com")
        #expect(mx.count == 1 && mx.first?.preference == 10 && mx.first?.exchange == "mx.smartmails.test")
        #expect(try await resolver.txt("alias.example.com") == [long])
        #expect(try await resolver.txt("nothing.example.com").isEmpty)
        // The zone changes between lookups, as a user's DNS does when they publish.
        try server.publish([.init("example.com", "TXT", "v=spf1 -all")])
        #expect(try await resolver.txt("example.com") == ["v=spf1 -all"])
    }

    @Test func aTruncatedAnswerIsAskedAgainOverTCP() async throws {
        let server = try await LocalDNSServer(records: [.init("big.example.com", "TXT", "over tcp")], faults: ["big.example.com": "truncate"])
        #expect(try await DNSResolver(address: server.address).txt("big.example.com") == ["over tcp"])
    }

    @Test func aFailingOrSilentServerIsAnErrorNotAnEmptyAnswer() async throws {
        let server = try await LocalDNSServer(faults: ["fail.example.com": "servfail", "quiet.example.com": "silent"])
        // The fixture is Python: under a whole suite's load it may take a second to answer.
        let patient = try DNSResolver(address: server.address, timeout: .seconds(3), attempts: 2)
        await #expect(throws: DNSError.serverFailure(rcode: 2)) { try await patient.txt("fail.example.com") }
        let hasty = try DNSResolver(address: server.address, timeout: .milliseconds(300), attempts: 2)
        let started = ContinuousClock.now
        await #expect(throws: DNSError.timeout(server: "\(hasty.server)")) { try await hasty.txt("quiet.example.com") }
        // Two attempts of 300 ms, not the patient resolver's seconds.
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    @Test func serverAddressesAreReadWithOrWithoutAPort() throws {
        #expect(try DNSResolver(address: "127.0.0.1:5353").server.port == 5353)
        #expect(try DNSResolver(address: "127.0.0.1").server.port == 53)
        #expect(try DNSResolver(address: "[::1]:5300").server.port == 5300)
        #expect(throws: DNSError.self) { try DNSResolver(address: "dns.example.com") }
    }
}
