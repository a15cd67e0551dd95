/// A message as accepted: its composed content, who sent it, and where it stands.
public struct Message: Sendable, Equatable {
    public static let idPrefix = "msg"

    public let id: String
    public let workspaceID: String
    /// The key that sent it; nil when sent from the dashboard.
    public let apiKeyID: String?
    /// `test` messages are composed and stored, never delivered.
    public let mode: APIKeyMode
    public var status: MessageStatus
    public let content: MessageContent
    public let tags: [String]
    public let metadata: [String: String]
    /// When delivery may start (now, unless the sender scheduled it).
    public let sendAt: Timestamp
    /// The `Message-ID` field's value, `<id@domain>`.
    public let messageIDHeader: String
    /// The VERP envelope sender, which names the message, so a bounce finds its way back to it.
    public let returnPath: String
    public let createdAt: Timestamp
    public var updatedAt: Timestamp
    /// Oldest first; filled when one message is read, empty in lists.
    public var events: [MessageEvent]
    /// The template version its content was rendered from, when it was.
    public let template: TemplateReference?

    public init(
        id: String, workspaceID: String, apiKeyID: String?, mode: APIKeyMode, status: MessageStatus, content: MessageContent,
        tags: [String], metadata: [String: String], sendAt: Timestamp, messageIDHeader: String, returnPath: String,
        createdAt: Timestamp, updatedAt: Timestamp, events: [MessageEvent] = [], template: TemplateReference? = nil
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.apiKeyID = apiKeyID
        self.mode = mode
        self.status = status
        self.content = content
        self.tags = tags
        self.metadata = metadata
        self.sendAt = sendAt
        self.messageIDHeader = messageIDHeader
        self.returnPath = returnPath
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.events = events
        self.template = template
    }

    /// Every envelope recipient: to, cc and bcc, each once.
    public var recipients: [String] {
        var seen = Set<String>()
        return (content.to + content.cc + content.bcc).map(\.email).filter { seen.insert($0.lowercased()).inserted }
    }
}

/// What a message says, checked and normalised (`MessageRules`), ready to be composed into MIME at delivery.
public struct MessageContent: Sendable, Codable, Equatable {
    public struct Header: Sendable, Codable, Equatable {
        public let name: String
        public let value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public struct Attachment: Sendable, Codable, Equatable {
        public let filename: String
        public let contentType: String
        /// Base64, as sent; checked to decode.
        public let content: String
        /// Set for an inline part that the HTML refers to as `cid:`.
        public let contentID: String?
        public init(filename: String, contentType: String, content: String, contentID: String?) {
            self.filename = filename
            self.contentType = contentType
            self.content = content
            self.contentID = contentID
        }
    }

    public let from: MessageAddress
    public let to: [MessageAddress]
    public let cc: [MessageAddress]
    public let bcc: [MessageAddress]
    public let replyTo: MessageAddress?
    public let subject: String
    public let html: String?
    public let text: String?
    public let headers: [Header]
    public let attachments: [Attachment]

    public init(
        from: MessageAddress, to: [MessageAddress], cc: [MessageAddress] = [], bcc: [MessageAddress] = [], replyTo: MessageAddress? = nil,
        subject: String, html: String?, text: String?, headers: [Header] = [], attachments: [Attachment] = []
    ) {
        self.from = from
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.replyTo = replyTo
        self.subject = subject
        self.html = html
        self.text = text
        self.headers = headers
        self.attachments = attachments
    }
}

/// Which template, in which version, a message was rendered from.
public struct TemplateReference: Sendable, Equatable {
    public let id: String
    public let version: Int
    public init(id: String, version: Int) {
        self.id = id
        self.version = version
    }
}
