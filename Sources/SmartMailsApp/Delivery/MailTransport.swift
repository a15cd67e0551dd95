import NIOCore
import SMTPKit

/// Where composed messages go: an SMTP relay, or the outbox folder when there is none.
public protocol MailTransport: Sendable {
    /// A short description for logs and the timeline (never credentials).
    var name: String { get }
    /// Hands the message (signed, CRLF lines, not yet dot-stuffed) over; the next hop's replies, or an
    /// `SMTPClientError` saying why not.
    func deliver(_ message: ByteBuffer, envelope: SMTPEnvelope, messageID: String, workspaceID: String) async throws -> SMTPSendResult
    func shutdown() async
}
