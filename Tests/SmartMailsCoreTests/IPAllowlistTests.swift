import Testing
@testable import SmartMailsCore

@Suite struct IPAllowlistTests {
    @Test func ipv4BlocksMatchTheirNetworkOnly() throws {
        let list = try IPAllowlist.parse(["203.0.113.0/24", "198.51.100.7"], param: "allowed_ips")
        #expect(list.allows(IPAddress("203.0.113.200")))
        #expect(list.allows(IPAddress("198.51.100.7")))
        #expect(!list.allows(IPAddress("198.51.100.8")))
        #expect(!list.allows(IPAddress("203.0.114.1")))
        // The same client seen as an IPv4-mapped IPv6 address.
        #expect(list.allows(IPAddress("::ffff:203.0.113.9")))
    }

    @Test func ipv6BlocksMatchTheirNetworkOnly() throws {
        let list = try IPAllowlist.parse(["2001:db8:abcd::/48"], param: "allowed_ips")
        #expect(list.allows(IPAddress("2001:db8:abcd:12::1")))
        #expect(!list.allows(IPAddress("2001:db8:abce::1")))
        #expect(!list.allows(IPAddress("203.0.113.1")))
    }

    @Test func emptyListAllowsEveryoneButNotAnUnknownAddressWhenRestricted() throws {
        #expect(IPAllowlist().allows(nil))
        #expect(!(try IPAllowlist.parse(["10.0.0.0/8"], param: "p")).allows(nil))
    }

    @Test func invalidEntriesNameTheirIndex() {
        #expect(throws: ValidationError(param: "allowed_ips[1]", message: "'10.0.0.0/33' is not an IPv4 or IPv6 address or CIDR block")) {
            try IPAllowlist.parse(["10.0.0.0/8", "10.0.0.0/33"], param: "allowed_ips")
        }
        #expect(CIDRBlock("2001:db8::/129") == nil)
        #expect(CIDRBlock("not-an-ip") == nil)
    }

    @Test func blocksPrintInCanonicalForm() {
        #expect(CIDRBlock("10.1.2.3/8")?.description == "10.0.0.0/8")
        #expect(CIDRBlock("2001:DB8::1/32")?.description == "2001:db8::/32")
        #expect(CIDRBlock("192.0.2.1")?.description == "192.0.2.1/32")
    }
}
