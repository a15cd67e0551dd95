/// A reply from an SMTP server (RFC 5321 §4.2), possibly multi-line, with its enhanced status code (RFC 3463).
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    /// How a reply's first digit classifies it.
    public enum Kind: Sendable, Hashable {
        /// 2xx: the command was accepted.
        case success
        /// 3xx: the server waits for more (354 after DATA, 334 during AUTH).
        case intermediate
        /// 4xx: try again later.
        case transientFailure
        /// 5xx: do not retry as is.
        case permanentFailure
    }

    /// The three-digit reply code, 200 to 599.
    public var code: Int
    /// The text of each line, without the code and its separator.
    public var lines: [String]
    /// The enhanced status code found at the start of the first line, when the server sent one.
    public var enhancedStatusCode: SMTPEnhancedStatusCode?

    public init(code: Int, lines: [String], enhancedStatusCode: SMTPEnhancedStatusCode? = nil) {
        self.code = code
        self.lines = lines
        self.enhancedStatusCode = enhancedStatusCode
    }

    /// Builds a reply and reads the enhanced status code from its first line, as a parser would.
    public init(code: Int, _ text: String...) {
        self.init(code: code, lines: text.isEmpty ? [""] : text)
        // An enhanced code is only meaningful when its class agrees with the reply's first digit.
        if let first = self.lines.first, let enhanced = SMTPEnhancedStatusCode(prefixOf: first), enhanced.statusClass == code / 100 {
            self.enhancedStatusCode = enhanced
        }
    }

    public var kind: Kind {
        switch self.code / 100 {
        case 2: return .success
        case 3: return .intermediate
        case 4: return .transientFailure
        default: return .permanentFailure
        }
    }

    public var isSuccess: Bool { self.kind == .success }

    /// The server's text, lines joined with a line feed.
    public var text: String { self.lines.joined(separator: "\n") }

    public var description: String {
        self.lines.map { "\(self.code) \($0)" }.joined(separator: "\n")
    }
}
