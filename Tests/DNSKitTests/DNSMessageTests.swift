@testable import DNSKit
import Testing

/// The wire format against hand-built answers: what a resolver sends back, including the hostile shapes.
@Suite struct DNSMessageTests {
    /// A response header with `answers` records, then the question for example.com TXT.
    private static func response(id: UInt16 = 0x1234, flags: UInt16 = 0x8180, answers: UInt16, body: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), UInt8(flags >> 8), UInt8(flags & 0xFF), 0, 1, 0, UInt8(answers), 0, 0, 0, 0]
        bytes += [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0, 0, 16, 0, 1]
        return bytes + body
    }

    @Test func aQueryAsksRecursivelyWithOneQuestionAndAnEDNSRecord() throws {
        let query = try DNSMessage.query(id: 0xBEEF, name: "example.com.", type: .txt)
        #expect(Array(query.prefix(12)) == [0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1])
        #expect(Array(query[12..<29]) == [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0, 0, 16, 0, 1])
        #expect(Array(query.suffix(11)) == [0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0])
    }

    @Test func namesThatCannotBeAskedAreRefused() {
        #expect(throws: DNSError.invalidName("a..b")) { try DNSMessage.query(id: 1, name: "a..b", type: .txt) }
        #expect(throws: DNSError.self) { try DNSMessage.query(id: 1, name: String(repeating: "a", count: 64) + ".com", type: .txt) }
        let long = Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: ".")
        #expect(throws: DNSError.self) { try DNSMessage.query(id: 1, name: long, type: .txt) }
    }

    @Test func aTXTRecordsStringsAreJoinedAndCompressedNamesFollowed() throws {
        // Name: a pointer to the question's name at offset 12. Two strings, "v=spf1 " and "-all".
        let rdata: [UInt8] = [7] + Array("v=spf1 ".utf8) + [4] + Array("-all".utf8)
        let record: [UInt8] = [0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, UInt8(rdata.count)] + rdata
        let parsed = try DNSMessage.parse(Self.response(answers: 1, body: record))
        #expect(parsed.id == 0x1234 && parsed.rcode == 0 && !parsed.truncated)
        #expect(parsed.answers == [DNSAnswer(name: "example.com", data: .txt("v=spf1 -all"))])
    }

    @Test func anMXRecordsExchangeMayPointIntoTheQuestion() throws {
        let rdata: [UInt8] = [0, 10, 4] + Array("mail".utf8) + [0xC0, 12]
        let record: [UInt8] = [0xC0, 12, 0, 15, 0, 1, 0, 0, 0, 60, 0, UInt8(rdata.count)] + rdata
        let parsed = try DNSMessage.parse(Self.response(answers: 1, body: record))
        #expect(parsed.answers == [DNSAnswer(name: "example.com", data: .mx(preference: 10, exchange: "mail.example.com"))])
    }

    @Test func hostileAnswersAreRefusedNotFollowedForever() {
        // A name pointing at itself.
        let loop: [UInt8] = [0xC0, 29, 0, 16, 0, 1, 0, 0, 0, 60, 0, 0]
        #expect(throws: DNSError.malformedResponse("a loop of name pointers")) { try DNSMessage.parse(Self.response(answers: 1, body: loop)) }
        // A record claiming more data than the message has.
        let overlong: [UInt8] = [0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 200, 5]
        #expect(throws: DNSError.self) { try DNSMessage.parse(Self.response(answers: 1, body: overlong)) }
        // A TXT string longer than its record.
        let string: [UInt8] = [0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 2, 9, 0x41]
        #expect(throws: DNSError.self) { try DNSMessage.parse(Self.response(answers: 1, body: string)) }
        // Answers promised, none there; and a query, not a response.
        #expect(throws: DNSError.self) { try DNSMessage.parse(Self.response(answers: 2, body: [])) }
        #expect(throws: DNSError.malformedResponse("not a response")) { try DNSMessage.parse(Self.response(flags: 0x0100, answers: 0, body: [])) }
    }

    @Test func theTruncationFlagAndResponseCodeAreRead() throws {
        let parsed = try DNSMessage.parse(Self.response(flags: 0x8382, answers: 0, body: []))
        #expect(parsed.truncated && parsed.rcode == 2)
    }

    @Test func theSystemServerIsTheFirstNameserverLine() {
        #expect(DNSResolver.systemServer(resolvConf: "# comment\nsearch lan\nnameserver 10.0.0.2\nnameserver 1.1.1.1\n") == "10.0.0.2")
        #expect(DNSResolver.systemServer(resolvConf: "nameserver\t2001:db8::1\n") == "[2001:db8::1]:53")
        #expect(DNSResolver.systemServer(resolvConf: "search lan\n") == nil)
    }
}
