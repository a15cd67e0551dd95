import Foundation

/// A message as a sender asked for it, before any check (`MessageRules.check` makes it a `MessageContent`).
public struct MessageDraft: Sendable {
    public struct Mailbox: Sendable {
        public var email: String?
        public var name: String?
        /// Instead of `email`: a contact of the workspace, whose address and name are used.
        public var contactID: String?
        public init(email: String?, name: String? = nil, contactID: String? = nil) {
            self.email = email
            self.name = name
            self.contactID = contactID
        }
    }

    public struct Attachment: Sendable {
        public var filename: String
        public var contentType: String?
        public var content: String
        public var contentID: String?
        public init(filename: String, contentType: String?, content: String, contentID: String?) {
            self.filename = filename
            self.contentType = contentType
            self.content = content
            self.contentID = contentID
        }
    }

    /// A saved template to render instead of giving subject, html and text.
    public struct TemplateUse: Sendable {
        public var id: String
        /// The current version when nil.
        public var version: Int?
        public var data: [String: JSONValue]
        public init(id: String, version: Int? = nil, data: [String: JSONValue] = [:]) {
            self.id = id
            self.version = version
            self.data = data
        }
    }

    public var from: Mailbox
    public var to: [Mailbox]
    public var cc: [Mailbox]
    public var bcc: [Mailbox]
    public var replyTo: Mailbox?
    public var subject: String?
    public var html: String?
    public var text: String?
    /// In the order given.
    public var headers: [(name: String, value: String)]
    public var attachments: [Attachment]
    public var tags: [String]
    public var metadata: [String: String]
    public var sendAt: Timestamp?
    public var template: TemplateUse?

    public init(
        from: Mailbox, to: [Mailbox], cc: [Mailbox] = [], bcc: [Mailbox] = [], replyTo: Mailbox? = nil, subject: String?,
        html: String?, text: String?, headers: [(name: String, value: String)] = [], attachments: [Attachment] = [],
        tags: [String] = [], metadata: [String: String] = [:], sendAt: Timestamp? = nil, template: TemplateUse? = nil
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
        self.tags = tags
        self.metadata = metadata
        self.sendAt = sendAt
        self.template = template
    }

    /// Every contact id the draft names, for the caller to look up before `MessageRules.check`.
    public var contactIDs: [String] { (to + cc + bcc).compactMap(\.contactID) }
}

/// The checks a message passes before it is queued, each failure naming the field as the API spells it.
public enum MessageRules {
    public static let maximumRecipients = 50
    public static let maximumBodyBytes = 2 << 20
    public static let maximumAttachmentBytes = 10 << 20
    public static let maximumAttachments = 20
    public static let maximumHeaders = 30
    public static let maximumTags = 10
    public static let maximumMetadataKeys = 50
    public static let maximumScheduleDays: Int64 = 30

    /// Fields the server writes itself; a custom header may not replace them.
    public static let reservedHeaders: Set<String> = [
        "from", "to", "cc", "bcc", "reply-to", "sender", "subject", "date", "message-id", "return-path", "received",
        "mime-version", "content-type", "content-transfer-encoding", "content-disposition", "dkim-signature",
        "list-unsubscribe", "list-unsubscribe-post", "feedback-id",
    ]

    /// The checked content, tags, metadata and delivery time; `contacts` gives the address and name of each
    /// contact id the draft names (nil: no such contact in the workspace).
    public static func check(
        _ draft: MessageDraft, contacts: [String: MessageAddress], now: Timestamp
    ) throws(ValidationError) -> (content: MessageContent, tags: [String], metadata: [String: String], sendAt: Timestamp) {
        guard draft.from.contactID == nil else { throw ValidationError(param: "from.contact_id", message: "The sender is an address on one of your domains, not a contact.") }
        let from = try mailbox(draft.from, param: "from", contacts: contacts)
        guard !draft.to.isEmpty else { throw ValidationError(param: "to", message: "Name at least one recipient.") }
        let to = try mailboxes(draft.to, param: "to", contacts: contacts)
        let cc = try mailboxes(draft.cc, param: "cc", contacts: contacts)
        let bcc = try mailboxes(draft.bcc, param: "bcc", contacts: contacts)
        guard to.count + cc.count + bcc.count <= maximumRecipients else {
            throw ValidationError(param: "to", message: "A message has at most \(maximumRecipients) recipients in to, cc and bcc together; send a batch for more.")
        }
        let replyTo = try draft.replyTo.map { mailbox throws(ValidationError) in try Self.mailbox(mailbox, param: "reply_to", contacts: contacts) }

        guard let subject = draft.subject, !subject.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError(param: "subject", message: "A message needs a subject.")
        }
        try HeaderText.check(subject, param: "subject")
        guard subject.count <= 998 else { throw ValidationError(param: "subject", message: "A subject is at most 998 characters.") }
        let html = draft.html.flatMap { $0.isEmpty ? nil : $0 }
        let text = draft.text.flatMap { $0.isEmpty ? nil : $0 }
        guard html != nil || text != nil else { throw ValidationError(param: "html", message: "A message needs an html or a text part.") }
        for (part, body) in [("html", html), ("text", text)] {
            guard let body else { continue }
            guard body.utf8.count <= maximumBodyBytes else { throw ValidationError(param: part, message: "A part is at most \(maximumBodyBytes >> 20) MiB.") }
            guard !body.utf8.contains(0) else { throw ValidationError(param: part, message: "A part may not contain NUL.") }
        }

        let headers = try self.headers(draft.headers)
        let attachments = try self.attachments(draft.attachments)
        let tags = try self.tags(draft.tags)
        let metadata = try self.metadata(draft.metadata)
        let sendAt = try schedule(draft.sendAt, now: now)
        let content = MessageContent(
            from: from, to: to, cc: cc, bcc: bcc, replyTo: replyTo, subject: subject, html: html, text: text, headers: headers, attachments: attachments
        )
        return (content, tags, metadata, sendAt)
    }

    static func mailbox(_ mailbox: MessageDraft.Mailbox, param: String, contacts: [String: MessageAddress]) throws(ValidationError) -> MessageAddress {
        if let contactID = mailbox.contactID {
            guard mailbox.email == nil else { throw ValidationError(param: param, message: "Give either email or contact_id, not both.") }
            guard let contact = contacts[contactID] else {
                throw ValidationError(param: param + ".contact_id", message: "This workspace has no contact \(contactID.prefix(40)).")
            }
            guard let name = mailbox.name else { return contact }
            return try MessageAddress.parse(email: contact.email, name: name, param: param)
        }
        guard let email = mailbox.email else { throw ValidationError(param: param + ".email", message: "Give an email address or a contact_id.") }
        return try MessageAddress.parse(email: email, name: mailbox.name, param: param)
    }

    static func mailboxes(_ list: [MessageDraft.Mailbox], param: String, contacts: [String: MessageAddress]) throws(ValidationError) -> [MessageAddress] {
        guard list.count <= maximumRecipients else {
            throw ValidationError(param: param, message: "A message has at most \(maximumRecipients) recipients in to, cc and bcc together.")
        }
        var result: [MessageAddress] = []
        for (index, item) in list.enumerated() { result.append(try mailbox(item, param: "\(param)[\(index)]", contacts: contacts)) }
        return result
    }

    static func headers(_ headers: [(name: String, value: String)]) throws(ValidationError) -> [MessageContent.Header] {
        guard headers.count <= maximumHeaders else { throw ValidationError(param: "headers", message: "At most \(maximumHeaders) custom headers.") }
        var result: [MessageContent.Header] = []
        for (name, value) in headers {
            let param = "headers.\(name.prefix(76))"
            // RFC 5322 §3.6.8: printable US-ASCII but the colon.
            guard !name.isEmpty, name.utf8.count <= 76, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
                throw ValidationError(param: "headers", message: "'\(name.prefix(76))' is not a header name: up to 76 printable ASCII characters with no space or colon.")
            }
            guard !reservedHeaders.contains(name.lowercased()) else {
                throw ValidationError(param: param, message: "\(name) is written by SmartMails and cannot be set as a custom header; use the message's own field for it.")
            }
            try HeaderText.check(value, param: param)
            guard value.utf8.count <= 998 else { throw ValidationError(param: param, message: "A header value is at most 998 bytes.") }
            result.append(.init(name: name, value: value))
        }
        return result
    }

    static func attachments(_ attachments: [MessageDraft.Attachment]) throws(ValidationError) -> [MessageContent.Attachment] {
        guard attachments.count <= maximumAttachments else {
            throw ValidationError(param: "attachments", message: "At most \(maximumAttachments) attachments.")
        }
        var total = 0
        var result: [MessageContent.Attachment] = []
        for (index, attachment) in attachments.enumerated() {
            let param = "attachments[\(index)]"
            guard !attachment.filename.isEmpty, attachment.filename.count <= 255 else {
                throw ValidationError(param: param + ".filename", message: "A file name is 1 to 255 characters.")
            }
            try HeaderText.check(attachment.filename, param: param + ".filename")
            let contentType = attachment.contentType ?? "application/octet-stream"
            guard isMediaType(contentType) else {
                throw ValidationError(param: param + ".content_type", message: "'\(contentType.prefix(100))' is not a media type such as application/pdf.")
            }
            guard let data = Data(base64Encoded: attachment.content) else {
                throw ValidationError(param: param + ".content", message: "The content must be base64 (RFC 4648, with padding and no line breaks).")
            }
            total += data.count
            guard total <= maximumAttachmentBytes else {
                throw ValidationError(param: param + ".content", message: "Attachments are at most \(maximumAttachmentBytes >> 20) MiB together.")
            }
            if let contentID = attachment.contentID {
                guard !contentID.isEmpty, contentID.count <= 200, contentID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }) else {
                    throw ValidationError(param: param + ".content_id", message: "A content id is up to 200 printable ASCII characters, without spaces or angle brackets.")
                }
            }
            result.append(.init(filename: attachment.filename, contentType: contentType.lowercased(), content: attachment.content, contentID: attachment.contentID))
        }
        return result
    }

    static func tags(_ tags: [String]) throws(ValidationError) -> [String] {
        guard tags.count <= maximumTags else { throw ValidationError(param: "tags", message: "At most \(maximumTags) tags.") }
        var seen = Set<String>()
        for tag in tags {
            guard !tag.isEmpty, tag.utf8.count <= 64, tag.utf8.allSatisfy(isTagByte) else {
                throw ValidationError(param: "tags", message: "'\(tag.prefix(64))' is not a tag: 1 to 64 letters, digits, '_', '-', '.' or ':'.")
            }
            seen.insert(tag)
        }
        return tags.filter { seen.remove($0) != nil }
    }

    static func metadata(_ metadata: [String: String]) throws(ValidationError) -> [String: String] {
        guard metadata.count <= maximumMetadataKeys else { throw ValidationError(param: "metadata", message: "At most \(maximumMetadataKeys) metadata keys.") }
        for (key, value) in metadata {
            guard !key.isEmpty, key.utf8.count <= 64, key.utf8.allSatisfy(isTagByte) else {
                throw ValidationError(param: "metadata", message: "'\(key.prefix(64))' is not a metadata key: 1 to 64 letters, digits, '_', '-', '.' or ':'.")
            }
            guard value.utf8.count <= 500, !value.utf8.contains(0) else {
                throw ValidationError(param: "metadata.\(key)", message: "A metadata value is at most 500 bytes, without NUL.")
            }
        }
        return metadata
    }

    static func schedule(_ sendAt: Timestamp?, now: Timestamp) throws(ValidationError) -> Timestamp {
        guard let sendAt else { return now }
        // A minute of slack for the sender's clock.
        guard sendAt >= now.adding(seconds: -60) else { throw ValidationError(param: "send_at", message: "send_at is in the past; leave it out to send now.") }
        guard sendAt <= now.adding(seconds: maximumScheduleDays * 86_400) else {
            throw ValidationError(param: "send_at", message: "send_at is at most \(maximumScheduleDays) days ahead.")
        }
        return max(sendAt, now)
    }

    private static func isTagByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ":"):
            true
        default: false
        }
    }

    /// `type/subtype` of RFC 2045 tokens, without parameters.
    private static func isMediaType(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, text.utf8.count <= 127 else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !"()<>@,;:\\\"/[]?=".utf8.contains($0) }
        }
    }
}
