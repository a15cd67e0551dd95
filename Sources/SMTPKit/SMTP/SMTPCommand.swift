import NIOCore

/// A command line the client writes, as the state machine asks for it; `write(into:)` gives its bytes.
public enum SMTPCommand: Sendable, Hashable {
    case ehlo(String)
    case helo(String)
    case startTLS
    /// `AUTH mechanism [initial-response]`.
    case auth(mechanism: String, initialResponse: String?)
    /// A base64 line answering a 334 challenge; kept apart so logs can hide it.
    case authResponse(String)
    case mailFrom(String, parameters: [String])
    case rcptTo(String, parameters: [String])
    case data
    case rset
    case noop
    case quit

    public func write(into buffer: inout ByteBuffer) {
        switch self {
        case .ehlo(let name): buffer.writeString("EHLO \(name)\r\n")
        case .helo(let name): buffer.writeString("HELO \(name)\r\n")
        case .startTLS: buffer.writeStaticString("STARTTLS\r\n")
        case .auth(let mechanism, let initial):
            buffer.writeStaticString("AUTH ")
            buffer.writeString(mechanism)
            if let initial {
                buffer.writeStaticString(" ")
                buffer.writeString(initial)
            }
            buffer.writeStaticString("\r\n")
        case .authResponse(let line):
            buffer.writeString(line)
            buffer.writeStaticString("\r\n")
        case .mailFrom(let address, let parameters):
            buffer.writeStaticString("MAIL FROM:<")
            buffer.writeString(address)
            buffer.writeStaticString(">")
            Self.write(parameters, into: &buffer)
        case .rcptTo(let address, let parameters):
            buffer.writeStaticString("RCPT TO:<")
            buffer.writeString(address)
            buffer.writeStaticString(">")
            Self.write(parameters, into: &buffer)
        case .data: buffer.writeStaticString("DATA\r\n")
        case .rset: buffer.writeStaticString("RSET\r\n")
        case .noop: buffer.writeStaticString("NOOP\r\n")
        case .quit: buffer.writeStaticString("QUIT\r\n")
        }
    }

    private static func write(_ parameters: [String], into buffer: inout ByteBuffer) {
        for parameter in parameters {
            buffer.writeStaticString(" ")
            buffer.writeString(parameter)
        }
        buffer.writeStaticString("\r\n")
    }

    /// The command as text, with credentials masked, for logs and test failures.
    public var logDescription: String {
        switch self {
        case .auth(let mechanism, let initial): return "AUTH \(mechanism)" + (initial == nil ? "" : " ***")
        case .authResponse: return "***"
        default:
            var buffer = ByteBuffer()
            self.write(into: &buffer)
            buffer.moveWriterIndex(to: buffer.writerIndex - 2)  // drops the CRLF every command ends with
            return String(buffer: buffer)
        }
    }
}
