/// The server's answer to one recipient of a transaction.
public struct SMTPRecipientResult: Sendable, Hashable {
    public var address: String
    public var reply: SMTPReply

    public init(address: String, reply: SMTPReply) {
        self.address = address
        self.reply = reply
    }

    public var isAccepted: Bool { self.reply.isSuccess }
}

/// What happened to a message the server accepted: one reply per recipient (some may be refused) and the final reply to the data.
public struct SMTPSendResult: Sendable, Hashable {
    public var recipients: [SMTPRecipientResult]
    /// The reply after the terminating dot, usually `250 2.0.0 Ok: queued as …`.
    public var dataReply: SMTPReply

    public init(recipients: [SMTPRecipientResult], dataReply: SMTPReply) {
        self.recipients = recipients
        self.dataReply = dataReply
    }

    public var acceptedRecipients: [String] { self.recipients.filter(\.isAccepted).map(\.address) }
    public var rejectedRecipients: [SMTPRecipientResult] { self.recipients.filter { !$0.isAccepted } }
}
