import NIOCore

/// A message `SMTPServer` received: the envelope the client gave and the data with dot-stuffing undone.
public struct SMTPReceivedMessage: Sendable {
    public var envelope: SMTPEnvelope
    /// The message as the client meant it: CRLF line ends, leading dots restored, without the terminating dot line.
    public var data: ByteBuffer
    /// The name the client gave in EHLO or HELO.
    public var clientName: String
    public var remoteAddress: String?

    public init(envelope: SMTPEnvelope, data: ByteBuffer, clientName: String, remoteAddress: String?) {
        self.envelope = envelope
        self.data = data
        self.clientName = clientName
        self.remoteAddress = remoteAddress
    }
}
