import Foundation
import SMTPKit
import Testing

/// Encoding choice, RFC 2047 words, folding and the 998-octet line limit.
@Suite struct MIMEEncodingTests {
    @Test func encodingChoiceFollowsContent() {
        func choose(_ text: String) -> MIMETransferEncoding {
            MIMETransferEncoding.choose(for: Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
        }
        #expect(choose("") == .sevenBit)
        #expect(choose("Plain short ASCII lines.\nSecond line.\n") == .sevenBit)
        #expect(choose(String(repeating: "a", count: 78)) == .sevenBit)
        #expect(choose(String(repeating: "a", count: 79)) == .quotedPrintable)
        #expect(choose("Schöne Grüße aus Köln, wir freuen uns auf Ihren Besuch im nächsten Monat.\n") == .quotedPrintable)
        #expect(choose("Здравствуйте! Во вложении отчёт за март.\n") == .base64)
        #expect(choose("日本語のテキスト\n") == .base64)
        #expect(MIMETransferEncoding.choose(for: [0x00, 0x01, 0x02, 0xFF, 0xFE, 0x80]) == .base64)
        #expect(MIMETransferEncoding.choose(for: Array("tab\tis fine\r\n".utf8)) == .sevenBit)
        #expect(MIMETransferEncoding.choose(for: Array("bell\u{07} is not\r\n".utf8)) == .quotedPrintable)
    }

    @Test func subjectIsEncodedPerRFC2047() throws {
        var message = try MIMESamples.plain()
        message.subject = "Café"
        #expect(try headerBlock(message).contains("Subject: =?UTF-8?Q?Caf=C3=A9?=\r\n"))
        message.subject = "Ёлка"
        #expect(try headerBlock(message).contains("Subject: =?UTF-8?B?0IHQu9C60LA=?=\r\n"))
        message.subject = "Plain ASCII subject"
        #expect(try headerBlock(message).contains("Subject: Plain ASCII subject\r\n"))
    }

    @Test func encodedWordsStayShortAndKeepCharactersWhole() throws {
        var message = try MIMESamples.plain()
        message.subject = String(repeating: "Привет мир 🌍 ", count: 12)
        let headers = try headerBlock(message)
        let words = headers.split(whereSeparator: { $0 == " " || $0 == "\r\n" }).filter { $0.hasPrefix("=?") }
        #expect(words.count > 5)
        for word in words {
            #expect(word.utf8.count <= 75)
            let payload = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            let decoded = try #require(Data(base64Encoded: String(payload)))
            #expect(String(data: decoded, encoding: .utf8) != nil, "encoded-word splits a UTF-8 sequence: \(word)")
        }
        #expect(Self.maxLineLength(Array(headers.utf8)) <= 78)
    }

    @Test func displayNamesAreQuotedOrEncoded() throws {
        func from(_ name: String) throws -> String {
            var message = try MIMESamples.plain()
            message.from = try MIMEAddress("x@example.com", displayName: name)
            let headers = try headerBlock(message)
            let line = headers.components(separatedBy: "\r\n").first { $0.hasPrefix("From:") }
            return try #require(line)
        }
        #expect(try from("Alice Example") == "From: Alice Example <x@example.com>")
        #expect(try from("Smith, John") == "From: \"Smith, John\" <x@example.com>")
        #expect(try from("A \"B\" C\\D") == "From: \"A \\\"B\\\" C\\\\D\" <x@example.com>")
        #expect(try from("Zoë") == "From: =?UTF-8?Q?Zo=C3=AB?= <x@example.com>")
    }

    @Test func headersFoldAt78AndNoLineExceeds998() async throws {
        var message = try MIMESamples.plain()
        message.subject = String(repeating: "word ", count: 200).trimmingCharacters(in: .whitespaces)
        message.headers = [
            try MIMEHeaderField("X-Unbreakable", String(repeating: "y", count: 2000)),
            try MIMEHeaderField("X-Breakable", String(repeating: "ab ", count: 400)),
        ]
        message.to = try (0..<40).map { try MIMEAddress("recipient\($0)@example.com", displayName: "Recipient \($0)") }
        message.textBody = String(repeating: "z", count: 5000) + "\n" + String(repeating: "ä", count: 3000)
        message.attachments = [MIMEAttachment(filename: "big.bin", contentType: "application/octet-stream", data: Array(repeating: 0xAB, count: 10_000))]
        let bytes = try MIMESamples.builder.build(message)
        let lines = MIMETestSupport.lines(bytes)
        #expect(lines.allSatisfy { $0.count <= 998 })
        #expect(lines.allSatisfy { $0.count <= 78 }, "every line here can be folded to 78: \(lines.filter { $0.count > 78 }.map { String(decoding: $0, as: UTF8.self) })")
        #expect(!bytes.contains(where: { $0 >= 0x80 }), "output must be pure 7-bit")
        let parsed = try await MIMEParsedMessage.parse(bytes)
        #expect(parsed.defects == [])
        #expect(parsed.subject == message.subject)
        #expect(parsed.custom["X-Unbreakable"] == message.headers[0].value)
        #expect(parsed.custom["X-Breakable"] == message.headers[1].value)
        #expect(parsed.parts[0].text == message.textBody! + "\n")
    }

    @Test func quotedPrintableEscapesWhatTransportWouldDamage() throws {
        var message = try MIMESamples.plain()
        message.textBody = "é trailing space \nequals = sign\nand tab\t\n" + String(repeating: "é", count: 2)
            + String(repeating: "long line ", count: 20)
        let text = String(decoding: try MIMESamples.builder.build(message), as: UTF8.self)
        let body = String(text[text.range(of: "\r\n\r\n")!.upperBound...])
        #expect(body.contains("=C3=A9 trailing space=20\r\n"))
        #expect(body.contains("equals =3D sign\r\n"))
        #expect(body.contains("and tab=09\r\n"))
        #expect(body.contains("=\r\n"), "long lines get soft breaks")
        #expect(Self.maxLineLength(Array(body.utf8)) <= 76)
    }

    @Test func sevenBitBodyContainingTheBoundaryIsQuoted() async throws {
        var message = try MIMESamples.plain()
        message.htmlBody = "<p>hi</p>"
        message.textBody = "--=_golden_0\nfake part"
        let text = String(decoding: try MIMESamples.builder.build(message), as: UTF8.self)
        #expect(text.contains("=3D_golden_0"))
        let parsed = try await MIMEParsedMessage.parse(Array(text.utf8))
        #expect(parsed.parts.count == 2)
        #expect(parsed.parts[0].text == "--=_golden_0\nfake part\n")
    }

    @Test func lineEndingsAreNormalised() async throws {
        var message = try MIMESamples.plain()
        message.textBody = "a\nb\r\nc\rd"
        let bytes = try MIMESamples.builder.build(message)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasSuffix("\r\n\r\na\r\nb\r\nc\r\nd\r\n"))
        #expect(try await MIMEParsedMessage.parse(bytes).bare_lf == 0)
    }

    @Test func datesAreRFC5322() {
        #expect(MIMEDate.format(Date(timeIntervalSince1970: 0)) == "Thu, 1 Jan 1970 00:00:00 +0000")
        #expect(MIMEDate.format(MIMESamples.date) == "Tue, 25 Nov 2025 17:18:00 +0000")
        #expect(MIMEDate.format(Date(timeIntervalSince1970: 1_709_208_000)) == "Thu, 29 Feb 2024 12:00:00 +0000")
        #expect(MIMEDate.format(Date(timeIntervalSince1970: 1_709_208_000), utcOffsetMinutes: -330) == "Thu, 29 Feb 2024 06:30:00 -0530")
        #expect(MIMEDate.format(Date(timeIntervalSince1970: -1)) == "Wed, 31 Dec 1969 23:59:59 +0000")
    }

    private func headerBlock(_ message: MIMEMessage) throws -> String {
        let text = String(decoding: try MIMESamples.builder.build(message), as: UTF8.self)
        return String(text[..<text.range(of: "\r\n\r\n")!.lowerBound]) + "\r\n"
    }

    static func maxLineLength(_ bytes: [UInt8]) -> Int {
        MIMETestSupport.lines(bytes).map(\.count).max() ?? 0
    }
}
