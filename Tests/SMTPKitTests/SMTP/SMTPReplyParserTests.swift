import NIOCore
import SMTPKit
import Testing

@Suite("SMTP reply parser")
struct SMTPReplyParserTests {
    private func parse(_ chunks: String...) throws -> [SMTPReply] {
        var parser = SMTPReplyParser()
        var replies: [SMTPReply] = []
        for chunk in chunks {
            parser.append(ByteBuffer(string: chunk))
            while let reply = try parser.nextReply() { replies.append(reply) }
        }
        #expect(!parser.hasBufferedBytes)
        return replies
    }

    @Test func singleLineWithEnhancedCode() throws {
        let replies = try self.parse("250 2.1.5 Recipient ok\r\n")
        #expect(replies.count == 1)
        #expect(replies[0].code == 250)
        #expect(replies[0].kind == .success)
        #expect(replies[0].enhancedStatusCode == SMTPEnhancedStatusCode(statusClass: 2, subject: 1, detail: 5))
        #expect(replies[0].text == "2.1.5 Recipient ok")
    }

    @Test func multiLineSplitAcrossReads() throws {
        let replies = try self.parse("250-mail.example.com Hello\r\n250-PIPE", "LINING\r\n250-SIZE 1000\r", "\n250 8BITMIME\r\n")
        #expect(replies.count == 1)
        #expect(replies[0].lines == ["mail.example.com Hello", "PIPELINING", "SIZE 1000", "8BITMIME"])
        let capabilities = SMTPCapabilities(ehloReply: replies[0])
        #expect(capabilities.supportsPipelining)
        #expect(capabilities.supports8BitMIME)
        #expect(capabilities.maximumMessageSize == 1000)
        #expect(!capabilities.supportsSMTPUTF8)
    }

    @Test func severalRepliesInOneRead() throws {
        let replies = try self.parse("250 2.1.0 Ok\r\n550 5.1.1 <x@y>: Recipient address rejected\r\n354 End data with <CR><LF>.<CR><LF>\r\n")
        #expect(replies.map(\.code) == [250, 550, 354])
        #expect(replies[1].kind == .permanentFailure)
        #expect(replies[1].enhancedStatusCode?.description == "5.1.1")
        #expect(replies[2].kind == .intermediate)
        #expect(replies[2].enhancedStatusCode == nil)
    }

    @Test func transientAndBareCodes() throws {
        let replies = try self.parse("451 4.7.1 Greylisted, try later\n421\r\n")
        #expect(replies[0].kind == .transientFailure)
        #expect(replies[0].enhancedStatusCode?.description == "4.7.1")
        #expect(replies[1].code == 421)
        #expect(replies[1].text == "")
    }

    @Test func enhancedCodeMustMatchClass() throws {
        let replies = try self.parse("250 5.1.1 odd server\r\n")
        #expect(replies[0].enhancedStatusCode == nil)
    }

    @Test func authCapabilitiesInOldForm() throws {
        let replies = try self.parse("250-host\r\n250-AUTH=login plain\r\n250 STARTTLS\r\n")
        let capabilities = SMTPCapabilities(ehloReply: replies[0])
        #expect(capabilities.authMechanisms == ["LOGIN", "PLAIN"])
        #expect(capabilities.supportsStartTLS)
    }

    @Test func rejectsGarbage() {
        #expect(throws: SMTPClientError.self) { try self.parse("HTTP/1.1 400 Bad Request\r\n") }
        #expect(throws: SMTPClientError.self) { try self.parse("250-first\r\n251 second\r\n") }
        #expect(throws: SMTPClientError.self) { try self.parse("250x\r\n") }
    }

    @Test func rejectsEndlessLine() {
        #expect(throws: SMTPClientError.self) { try self.parse(String(repeating: "2", count: 5000)) }
    }
}
