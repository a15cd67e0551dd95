import Foundation
import HTTPTypes
import NIOCore
@testable import SmartMailsServer
import Testing

/// Error bodies are written by hand, not by `JSONEncoder`: whatever a message holds, the body must parse back to the
/// same values with an independent JSON parser, in the one error shape.
@Suite struct APIErrorBodyTests {
    static let awkwardTexts = [
        "plain",
        "",
        #"quote " and reverse solidus \ and both \""#,
        "line\nbreak, carriage\rreturn, tab\there",
        "every other control character: \u{00}\u{01}\u{08}\u{0B}\u{0C}\u{1F} and DEL \u{7F}",
        "slash / stays, see /docs",
        "non-ASCII: Grüße, 日本語, emoji 🔑, U+2028 \u{2028}",
        "json-looking {\"error\":{}} text",
    ]

    private func parsed(_ buffer: ByteBuffer) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
        let top = try #require(object as? [String: Any])
        #expect(Set(top.keys) == ["error"])
        return try #require(top["error"] as? [String: Any])
    }

    @Test(arguments: awkwardTexts)
    func everyValueParsesBackAsWritten(text: String) throws {
        let error = APIError(status: .badRequest, kind: .invalidRequest, code: "code_\(text)", message: text, param: text)
        let fields = try parsed(APIErrorBody.buffer(for: error, requestID: "req_\(text)"))
        #expect(fields["code"] as? String == "code_\(text)")
        #expect(fields["message"] as? String == text)
        #expect(fields["param"] as? String == text)
        #expect(fields["request_id"] as? String == "req_\(text)")
        #expect(fields["type"] as? String == "invalid_request_error")
        #expect(fields.count == 5)
    }

    @Test func withoutAParamTheKeyIsLeftOutAndTheKeysAreSorted() throws {
        let error = APIError(status: .tooManyRequests, kind: .rateLimit, code: "rate_limited", message: "Retry after 3 s.")
        let body = APIErrorBody.buffer(for: error, requestID: "req_1")
        #expect(String(buffer: body) == #"{"error":{"code":"rate_limited","message":"Retry after 3 s.","request_id":"req_1","type":"rate_limit_error"}}"#)
        #expect(try parsed(body)["param"] == nil)
    }

    @Test func controlCharactersAreEscapedNotCopied() {
        var buffer = ByteBuffer()
        APIErrorBody.writeString("a\u{01}b\nc\"d\\e", into: &buffer)
        #expect(String(buffer: buffer) == #""a\u0001b\nc\"d\\e""#)
        #expect(!buffer.readableBytesView.contains { $0 < 0x20 })
    }
}
