/// Why an SMTP client operation failed. Every error thrown by `SMTPConnection` and `SMTPConnectionPool` is one of these.
public enum SMTPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server answered a command with a failure reply (4xx or 5xx, or an unexpected code).
    case rejected(stage: SMTPStage, reply: SMTPReply)
    /// Every recipient was refused; the replies say why, one per recipient.
    case allRecipientsRejected([SMTPRecipientResult])
    /// Authentication was refused (535 and friends).
    case authenticationFailed(SMTPReply)
    /// The server offers none of the AUTH mechanisms we speak, or no AUTH at all.
    case authenticationUnsupported(offered: [String])
    /// Credentials would travel in clear text; enable TLS or allow it explicitly.
    case authenticationRequiresTLS
    /// STARTTLS was required and the server does not offer it.
    case startTLSUnsupported
    /// The message is larger than the server's advertised SIZE; nothing was sent.
    case messageTooLarge(size: Int, limit: Int)
    /// The message or envelope needs SMTPUTF8 and the server does not offer it; nothing was sent.
    case smtpUTF8Unsupported
    /// The message has 8-bit content and the server does not offer 8BITMIME; nothing was sent.
    case eightBitMIMEUnsupported
    /// The envelope cannot be sent (no recipient, or an address with CR, LF or angle brackets).
    case invalidEnvelope(String)
    /// No reply came within the configured time for this stage.
    case timeout(SMTPStage)
    /// The connection closed before the operation finished.
    case connectionClosed
    /// The connection closed while a reply was awaited. At `.dataTermination` the whole message was sent and the
    /// server may have accepted it: trying again may deliver it twice.
    case connectionLost(awaiting: SMTPStage)
    /// A socket or TLS error, described.
    case network(String)
    /// The server sent something that is not SMTP.
    case protocolViolation(String)
    /// The connection was already closed or broken when the operation was asked for.
    case connectionUnusable
    /// The pool has been shut down.
    case poolShutDown

    /// True when trying again later may succeed (4xx, timeouts, network trouble); false for 5xx and refusals of the message itself.
    public var isTransient: Bool {
        switch self {
        case .rejected(_, let reply): return reply.kind != .permanentFailure
        case .allRecipientsRejected(let results): return results.allSatisfy { $0.reply.kind == .transientFailure }
        case .authenticationFailed(let reply): return reply.kind == .transientFailure
        case .timeout, .connectionClosed, .connectionLost, .network, .protocolViolation, .connectionUnusable, .poolShutDown: return true
        case .authenticationUnsupported, .authenticationRequiresTLS, .startTLSUnsupported, .messageTooLarge,
            .smtpUTF8Unsupported, .eightBitMIMEUnsupported, .invalidEnvelope:
            return false
        }
    }

    public var description: String {
        switch self {
        case .rejected(let stage, let reply): return "SMTP \(stage.rawValue) rejected: \(reply)"
        case .allRecipientsRejected(let results):
            return "all recipients rejected: " + results.map { "\($0.address): \($0.reply)" }.joined(separator: "; ")
        case .authenticationFailed(let reply): return "SMTP authentication failed: \(reply)"
        case .authenticationUnsupported(let offered): return "no supported AUTH mechanism (server offers \(offered))"
        case .authenticationRequiresTLS: return "refusing to send credentials without TLS"
        case .startTLSUnsupported: return "server does not offer STARTTLS"
        case .messageTooLarge(let size, let limit): return "message of \(size) bytes exceeds the server's SIZE \(limit)"
        case .smtpUTF8Unsupported: return "message needs SMTPUTF8, which the server does not offer"
        case .eightBitMIMEUnsupported: return "message has 8-bit data and the server does not offer 8BITMIME"
        case .invalidEnvelope(let why): return "invalid envelope: \(why)"
        case .timeout(let stage): return "SMTP timeout waiting at \(stage.rawValue)"
        case .connectionClosed: return "SMTP connection closed"
        case .connectionLost(let stage): return "SMTP connection closed while waiting for the reply to \(stage.rawValue)"
        case .network(let what): return "SMTP network error: \(what)"
        case .protocolViolation(let what): return "SMTP protocol violation: \(what)"
        case .connectionUnusable: return "SMTP connection is closed or broken"
        case .poolShutDown: return "SMTP connection pool is shut down"
        }
    }
}
