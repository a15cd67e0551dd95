/// A custom header (`List-Unsubscribe`, `X-Campaign`, …); name and value are checked on creation so no CR/LF gets through.
public struct MIMEHeaderField: Sendable, Hashable {
    public let name: String
    /// The unfolded value; non-ASCII text is RFC 2047-encoded on output.
    public let value: String

    public init(_ name: String, _ value: String) throws {
        try Self.validate(name: name)
        try Self.validate(value: value, of: name)
        self.name = name
        self.value = value
    }

    /// RFC 5322 field-name: printable US-ASCII except colon; capped well under the line limit.
    static func validate(name: String) throws {
        let bytes = name.utf8
        guard !bytes.isEmpty, bytes.count <= 76,
            bytes.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E && $0 != UInt8(ascii: ":") })
        else { throw MIMEError.invalidHeaderName(name) }
    }

    /// Refuses CR, LF, NUL and other controls (tab is allowed); this is the header-injection guard.
    static func validate(value: String, of name: String) throws {
        if value.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) {
            throw MIMEError.invalidHeaderValue(name: name, value: value)
        }
    }

    /// Headers the builder derives from the message itself; a custom copy would contradict them.
    static let reservedNames: Set<String> = [
        "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
        "content-type", "content-transfer-encoding", "content-disposition", "content-id",
    ]
}
