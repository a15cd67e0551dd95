/// The extensions a server advertised in its EHLO reply (empty after a HELO fallback).
public struct SMTPCapabilities: Sendable, Hashable {
    /// Upper-cased keyword → its parameters, e.g. `"SIZE": ["35882577"]`, `"AUTH": ["PLAIN", "LOGIN"]`.
    public var keywords: [String: [String]]
    /// False when the server only understood HELO.
    public var isExtended: Bool

    public init(keywords: [String: [String]] = [:], isExtended: Bool = true) {
        self.keywords = keywords
        self.isExtended = isExtended
    }

    /// Reads the EHLO reply; its first line is the server's greeting name, each further line one extension.
    public init(ehloReply: SMTPReply) {
        var keywords: [String: [String]] = [:]
        for line in ehloReply.lines.dropFirst() {
            // Old servers write `AUTH=LOGIN PLAIN`; treat it as `AUTH LOGIN PLAIN`.
            let words = line.split(whereSeparator: { $0 == " " || $0 == "=" }).map(String.init)
            guard let keyword = words.first?.uppercased() else { continue }
            let parameters = words.dropFirst().map { keyword == "AUTH" ? $0.uppercased() : $0 }
            keywords[keyword, default: []].append(contentsOf: parameters)
        }
        self.init(keywords: keywords, isExtended: true)
    }

    public func supports(_ keyword: String) -> Bool { self.keywords[keyword.uppercased()] != nil }

    public var supportsPipelining: Bool { self.supports("PIPELINING") }
    public var supportsStartTLS: Bool { self.supports("STARTTLS") }
    public var supports8BitMIME: Bool { self.supports("8BITMIME") }
    public var supportsSMTPUTF8: Bool { self.supports("SMTPUTF8") }
    public var supportsSize: Bool { self.supports("SIZE") }
    public var authMechanisms: [String] { self.keywords["AUTH"] ?? [] }

    /// The advertised SIZE limit; nil when there is none (absent, or `SIZE 0` which means no fixed limit).
    public var maximumMessageSize: Int? {
        guard let value = self.keywords["SIZE"]?.first.flatMap({ Int($0) }), value > 0 else { return nil }
        return value
    }
}
