/// Why a message could not be built; every refusal names the offending input so callers can report it.
public enum MIMEError: Error, Equatable, Sendable {
    /// A header name is empty, too long, or holds characters outside printable US-ASCII (or a colon).
    case invalidHeaderName(String)
    /// A header value contains CR, LF or another control character that would allow header injection.
    case invalidHeaderValue(name: String, value: String)
    /// A custom header would duplicate one the builder writes itself (From, Content-Type, …).
    case reservedHeader(String)
    /// An address is malformed, non-ASCII, or contains CR/LF.
    case invalidAddress(String)
    /// A Message-ID, Content-ID, media type or filename cannot be represented safely.
    case invalidParameter(name: String, value: String)
}
