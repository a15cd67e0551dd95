import Foundation
import SMTPKit
import Testing

/// Python's `email` package must see the same parts, text, names and files we put in.
@Suite struct MIMEPythonRoundTripTests {
    @Test func plainText() async throws {
        let message = try MIMESamples.plain()
        let parsed = try await MIMEParsedMessage.parse(try MIMESamples.builder.build(message))
        #expect(parsed.defects == [])
        #expect(parsed.structure == "text/plain")
        #expect(parsed.subject == "Hello")
        #expect(parsed.from == [.init(name: "Alice Example", address: "alice@example.com")])
        #expect(parsed.to == [.init(name: "", address: "bob@example.org")])
        #expect(parsed.message_id == "<golden-plain@example.com>")
        #expect(parsed.date == "Tue, 25 Nov 2025 17:18:00 +0000")
        #expect(parsed.parts.map(\.transfer_encoding) == ["7bit"])
        #expect(parsed.parts.first?.text == message.textBody! + "\n")
        #expect(parsed.bare_lf == 0)
    }

    @Test func alternativeWithUnicodeHeaders() async throws {
        let message = try MIMESamples.alternative()
        let parsed = try await MIMEParsedMessage.parse(try MIMESamples.builder.build(message))
        #expect(parsed.defects == [])
        #expect(parsed.structure == "multipart/alternative(text/plain,text/html)")
        #expect(parsed.subject == message.subject)
        #expect(parsed.from == [.init(name: "Jörg Müller", address: "joerg@example.de")])
        #expect(parsed.to == [
            .init(name: "Ana Núñez", address: "ana@example.es"),
            .init(name: "Smith, John", address: "john@example.com"),
        ])
        #expect(parsed.cc == [.init(name: "Team \"Köln\" \\ Vertrieb", address: "team@example.de")])
        #expect(parsed.custom["X-Campaign"] == "Herbst 2025 – Köln")
        #expect(parsed.custom["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
        #expect(parsed.custom["List-Unsubscribe"] == message.headers[0].value)
        #expect(parsed.parts.map(\.transfer_encoding) == ["quoted-printable", "quoted-printable"])
        #expect(parsed.parts[0].text == message.textBody! + "\n")
        #expect(parsed.parts[1].text == message.htmlBody! + "\n")
        #expect(parsed.max_line <= 78)
    }

    @Test func mixedWithInlineImageAndAttachments() async throws {
        let message = try MIMESamples.mixed()
        let parsed = try await MIMEParsedMessage.parse(try MIMESamples.builder.build(message))
        #expect(parsed.defects == [])
        #expect(parsed.structure == "multipart/mixed(multipart/related(multipart/alternative(text/plain,text/html),image/png),application/pdf,text/csv)")
        #expect(parsed.subject == "Ежемесячный отчёт")
        #expect(parsed.from == [.init(name: "Новости", address: "news@example.ru")])
        let parts = parsed.parts
        try #require(parts.count == 5)
        #expect(parts[0].text == message.textBody! + "\n")
        #expect(parts[0].transfer_encoding == "base64")
        #expect(parts[1].text == message.htmlBody! + "\n")
        #expect(parts[2].content_id == "<logo@example.ru>")
        #expect(parts[2].disposition == "inline")
        #expect(parts[2].filename == "logo.png")
        #expect(parts[2].data == MIMESamples.png)
        #expect(parts[3].disposition == "attachment")
        #expect(parts[3].filename == "report.pdf")
        #expect(parts[3].size == MIMESamples.pdf.count)
        #expect(parts[3].data == MIMESamples.pdf)
        #expect(parts[4].filename == message.attachments[2].filename)
        #expect(parts[4].text == String(decoding: MIMESamples.csv, as: UTF8.self))
        #expect(parsed.max_line <= 78)
    }

    @Test func longAndAwkwardHeadersSurvive() async throws {
        let longWord = String(repeating: "x", count: 1200)
        let subject = "Ein sehr langer Betreff mit Emoji 👩‍👩‍👧‍👦 und Umlauten äöü, der über mehrere Zeilen gefaltet werden muss, damit keine Zeile zu lang wird"
        let message = MIMEMessage(
            from: try MIMEAddress("a@example.com", displayName: "A =?utf-8?q?not-encoded?= B"),
            to: (0..<12).map { try! MIMEAddress("user\($0)@example.com", displayName: "User Number \($0)") },
            subject: subject,
            textBody: String(repeating: "Long line without breaks ", count: 120),
            headers: [
                try MIMEHeaderField("X-Long-Token", longWord),
                try MIMEHeaderField("X-Looks-Encoded", "=?UTF-8?B?SGk=?="),
            ],
            messageID: "long@example.com",
            date: MIMESamples.date
        )
        let bytes = try MIMESamples.builder.build(message)
        let parsed = try await MIMEParsedMessage.parse(bytes)
        #expect(parsed.defects == [])
        #expect(parsed.subject == subject)
        #expect(parsed.from.first?.name == "A =?utf-8?q?not-encoded?= B")
        #expect(parsed.to.count == 12)
        #expect(parsed.to.last == .init(name: "User Number 11", address: "user11@example.com"))
        #expect(parsed.custom["X-Long-Token"] == longWord)
        #expect(parsed.custom["X-Looks-Encoded"] == "=?UTF-8?B?SGk=?=")
        #expect(parsed.parts.first?.text == message.textBody! + "\n")
        #expect(parsed.parts.first?.transfer_encoding == "quoted-printable")
        #expect(parsed.max_line <= 78)
    }
}
