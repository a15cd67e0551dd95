import Foundation

/// The JSON summary printed by `Fixtures/MIME/parse_mime.py` (Python's `email` package view of a message).
struct MIMEParsedMessage: Decodable, Equatable {
    struct Mailbox: Decodable, Equatable {
        var name: String
        var address: String
    }

    struct Part: Decodable, Equatable {
        var content_type: String
        var transfer_encoding: String
        var disposition: String?
        var filename: String?
        var content_id: String?
        var text: String?
        var size: Int?
        var base64: String?

        /// The decoded bytes of a non-text part.
        var data: [UInt8]? { base64.flatMap { Data(base64Encoded: $0) }.map(Array.init) }
    }

    var subject: String
    var from: [Mailbox]
    var to: [Mailbox]
    var cc: [Mailbox]
    var message_id: String
    var date: String
    var custom: [String: String]
    var structure: String
    var defects: [String]
    var max_line: Int
    var bare_lf: Int
    var parts: [Part]

    /// Builds nothing itself: writes `bytes` to a temporary file and asks Python to parse it.
    static func parse(_ bytes: [UInt8]) async throws -> MIMEParsedMessage {
        let file = try MIMETestSupport.temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await MIMETestSupport.runPython("MIME/parse_mime.py", [file.path])
        guard result.status == 0 else {
            throw MIMETestSupport.PythonUnavailable(description: "parse_mime.py failed (\(result.status)): \(result.stderr)")
        }
        return try JSONDecoder().decode(MIMEParsedMessage.self, from: Data(result.stdout.utf8))
    }
}
