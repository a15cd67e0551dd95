import struct Foundation.Date

/// What a message says (addresses, subject, bodies, files, extra headers); `MIMEBuilder` turns it into bytes.
public struct MIMEMessage: Sendable {
    public var from: MIMEAddress
    public var to: [MIMEAddress]
    public var cc: [MIMEAddress]
    public var replyTo: [MIMEAddress]
    public var subject: String
    /// The text/plain body; with `htmlBody` too, both go into multipart/alternative.
    public var textBody: String?
    public var htmlBody: String?
    public var attachments: [MIMEAttachment]
    /// Extra headers, written in this order after the standard ones.
    public var headers: [MIMEHeaderField]
    /// `<id@domain>`; the builder makes a random one when nil. Set it for reproducible output.
    public var messageID: String?
    /// The Date header; the builder uses the current time when nil.
    public var date: Date?

    public init(
        from: MIMEAddress,
        to: [MIMEAddress] = [],
        cc: [MIMEAddress] = [],
        replyTo: [MIMEAddress] = [],
        subject: String = "",
        textBody: String? = nil,
        htmlBody: String? = nil,
        attachments: [MIMEAttachment] = [],
        headers: [MIMEHeaderField] = [],
        messageID: String? = nil,
        date: Date? = nil
    ) {
        self.from = from
        self.to = to
        self.cc = cc
        self.replyTo = replyTo
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.attachments = attachments
        self.headers = headers
        self.messageID = messageID
        self.date = date
    }
}
