import Foundation
import NIOCore
import SMTPKit
import Testing

/// Compares builder output with known-good bytes in Fixtures/MIME; `SMTPKIT_RECORD_GOLDEN=1` rewrites them
/// (inspect the diff and the Python round trip before committing new ones).
@Suite struct MIMEGoldenTests {
    @Test(arguments: ["plain", "alternative", "mixed"])
    func matchesGoldenFile(name: String) throws {
        let message = try Self.sample(name)
        let bytes = try MIMESamples.builder.build(message)
        let url = MIMETestSupport.fixtures.appendingPathComponent("MIME/\(name).eml")
        if ProcessInfo.processInfo.environment["SMTPKIT_RECORD_GOLDEN"] == "1" {
            try Data(bytes).write(to: url)
        }
        let golden = try #require(
            FileManager.default.contents(atPath: url.path),
            "missing golden file \(url.path); run the tests once with SMTPKIT_RECORD_GOLDEN=1"
        )
        #expect(Array(golden) == bytes, "output differs from \(url.lastPathComponent):\n\(String(decoding: bytes, as: UTF8.self))")
    }

    @Test func buildsAreReproducibleAndBufferMatchesArray() throws {
        let message = try MIMESamples.mixed()
        let first = try MIMESamples.builder.build(message)
        let buffer = try MIMESamples.builder.buildBuffer(message)
        #expect(first == (try MIMESamples.builder.build(message)))
        #expect(Array(buffer.readableBytesView) == first)
    }

    @Test func defaultsAreFreshPerMessage() throws {
        var message = try MIMESamples.mixed()
        message.messageID = nil
        message.date = nil
        let builder = MIMEBuilder()
        let one = String(decoding: try builder.build(message), as: UTF8.self)
        let two = String(decoding: try builder.build(message), as: UTF8.self)
        #expect(one != two)
        #expect(one.contains("Message-ID: <"))
        #expect(one.contains("@example.ru>\r\n"))
        #expect(one.contains("boundary=\"=_"))
    }

    static func sample(_ name: String) throws -> MIMEMessage {
        switch name {
        case "plain": try MIMESamples.plain()
        case "alternative": try MIMESamples.alternative()
        default: try MIMESamples.mixed()
        }
    }
}
