import Foundation
import SMTPKit

/// Messages used by the golden-file and Python round-trip tests; fixed ids, dates and boundaries keep them reproducible.
enum MIMESamples {
    static let date = Date(timeIntervalSince1970: 1_764_091_080)  // Tue, 25 Nov 2025 17:18:00 +0000
    static let builder = MIMEBuilder(boundarySeed: "golden")

    static func plain() throws -> MIMEMessage {
        MIMEMessage(
            from: try MIMEAddress("alice@example.com", displayName: "Alice Example"),
            to: [try MIMEAddress("bob@example.org")],
            subject: "Hello",
            textBody: "Hi Bob,\n\nSee you tomorrow.\n-- \nAlice",
            messageID: "golden-plain@example.com",
            date: date
        )
    }

    static func alternative() throws -> MIMEMessage {
        MIMEMessage(
            from: try MIMEAddress("joerg@example.de", displayName: "Jörg Müller"),
            to: [
                try MIMEAddress("ana@example.es", displayName: "Ana Núñez"),
                try MIMEAddress("john@example.com", displayName: "Smith, John"),
            ],
            cc: [try MIMEAddress("team@example.de", displayName: "Team \"Köln\" \\ Vertrieb")],
            replyTo: [try MIMEAddress("reply@example.de")],
            subject: "Grüße aus Köln — unser Angebot für den Herbst 🎉 (nur diese Woche, solange der Vorrat reicht)",
            textBody: """
                Hallo Ana,

                hier ist unser Angebot: 20 % Rabatt auf alles, was Sie über unsere Website bestellen – gültig bis Freitag.
                Trailing space here 
                Gleichheitszeichen = bleibt, und Umlaute: äöü ÄÖÜ ß.
                """,
            htmlBody: "<html><body><p>Hallo Ana,</p><p>hier ist unser <b>Angebot</b>: 20&nbsp;% Rabatt – gültig bis Freitag.</p></body></html>",
            headers: [
                try MIMEHeaderField("List-Unsubscribe", "<https://example.de/u/8c1f6a0b2d5e4f3a>, <mailto:unsubscribe@example.de?subject=unsubscribe>"),
                try MIMEHeaderField("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                try MIMEHeaderField("X-Campaign", "Herbst 2025 – Köln"),
            ],
            messageID: "<golden-alternative@example.de>",
            date: date
        )
    }

    static let pdf: [UInt8] = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 11) }
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<200).map { UInt8(truncatingIfNeeded: $0 * 3) }
    static let csv: [UInt8] = Array("Monat;Umsatz\nMärz;1200\n".utf8)

    static func mixed() throws -> MIMEMessage {
        MIMEMessage(
            from: try MIMEAddress("news@example.ru", displayName: "Новости"),
            to: [try MIMEAddress("reader@example.com")],
            subject: "Ежемесячный отчёт",
            textBody: "Здравствуйте!\nВо вложении отчёт за март.\nС уважением,\nКоманда",
            htmlBody: "<p>Здравствуйте!</p><p><img src=\"cid:logo@example.ru\" alt=\"logo\"></p>",
            attachments: [
                MIMEAttachment(filename: "report.pdf", contentType: "application/pdf", data: pdf),
                .inlineImage(contentID: "logo@example.ru", filename: "logo.png", contentType: "image/png", data: png),
                MIMEAttachment(
                    filename: "Übersicht März 2025 – sehr langer Dateiname für den Test.csv",
                    contentType: "text/csv; charset=utf-8",
                    data: csv
                ),
            ],
            messageID: "golden-mixed@example.ru",
            date: date
        )
    }
}
