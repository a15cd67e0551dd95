import Foundation
import SmartMailsAPI
import SmartMailsCore

extension MessageDraft {
    init(_ input: Components.Schemas.MessageInput) throws(ValidationError) {
        func mailbox(_ box: Components.Schemas.Mailbox) -> Mailbox { Mailbox(email: box.email, name: box.name, contactID: box.contactId) }
        self.init(
            from: mailbox(input.from), to: input.to.map(mailbox), cc: (input.cc ?? []).map(mailbox), bcc: (input.bcc ?? []).map(mailbox),
            replyTo: input.replyTo.map(mailbox), subject: input.subject, html: input.html, text: input.text,
            // JSON objects carry no order; headers go out sorted by name, the same on every retry.
            headers: (input.headers?.additionalProperties ?? [:]).sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) },
            attachments: (input.attachments ?? []).map { .init(filename: $0.filename, contentType: $0.contentType, content: $0.content, contentID: $0.contentId) },
            tags: input.tags ?? [], metadata: input.metadata?.additionalProperties ?? [:], sendAt: input.sendAt.map(Timestamp.init),
            template: try input.template.map { use throws(ValidationError) in
                let data: [String: JSONValue]
                do { data = try use.data.map { try JSONValue.members($0, param: "template.data") } ?? [:] } catch {
                    throw ValidationError(param: "template.data", message: "template.data holds a value that is not JSON.")
                }
                return TemplateUse(id: use.id, version: use.version, data: data)
            }
        )
    }
}

extension Components.Schemas.Message {
    init(_ message: Message) {
        func mailbox(_ address: MessageAddress) -> Components.Schemas.MailboxOut { .init(email: address.email, name: address.name) }
        let content = message.content
        self.init(
            id: message.id, object: .message, status: .init(message.status), mode: message.mode == .live ? .live : .test,
            apiKeyId: message.apiKeyID, from: mailbox(content.from), to: content.to.map(mailbox),
            cc: content.cc.isEmpty ? nil : content.cc.map(mailbox), bcc: content.bcc.isEmpty ? nil : content.bcc.map(mailbox),
            replyTo: content.replyTo.map(mailbox), subject: content.subject, html: content.html, text: content.text,
            attachments: content.attachments.isEmpty ? nil : content.attachments.map { .init(filename: $0.filename, contentType: $0.contentType) },
            tags: message.tags, metadata: .init(additionalProperties: message.metadata),
            template: message.template.map { .init(id: $0.id, version: $0.version) }, messageId: message.messageIDHeader,
            returnPath: message.returnPath, sendAt: message.sendAt.date, createdAt: message.createdAt.date, updatedAt: message.updatedAt.date,
            events: message.events.isEmpty ? nil : message.events.map {
                .init(_type: .init(rawValue: $0.kind.rawValue)!, at: $0.at.date, detail: $0.detail, nextAttemptAt: $0.nextAttemptAt?.date)
            }
        )
    }
}

extension Components.Schemas.MessageStatus {
    init(_ status: MessageStatus) { self = .init(rawValue: status.rawValue)! }
}

extension Components.Schemas.Suppression {
    init(_ suppression: Suppression) {
        self.init(
            address: suppression.address, object: .suppression, reason: .init(rawValue: suppression.reason.rawValue)!,
            source: suppression.source, expiresAt: suppression.expiresAt?.date, createdAt: suppression.createdAt.date
        )
    }
}

extension Components.Schemas.MessageInput {
    /// The size limits the spec declares for an item (its `minItems`, `maxItems`, `maxLength`), which the generated
    /// decoder does not enforce. A batch breaking them is malformed as a whole (422), while an item that fits the
    /// schema but fails a rule of the message is reported in its own result.
    func checkDeclaredLimits(param: String) throws(ValidationError) {
        func length(_ value: String?, _ maximum: Int, _ field: String, minimum: Int = 0) throws(ValidationError) {
            guard let value else { return }
            guard value.count <= maximum, value.count >= minimum else {
                throw ValidationError(param: "\(param).\(field)", message: "\(field) is \(minimum) to \(maximum) characters.")
            }
        }
        func mailbox(_ box: Components.Schemas.Mailbox, _ field: String) throws(ValidationError) {
            try length(box.email, 254, field + ".email")
            try length(box.name, 200, field + ".name")
            try length(box.contactId, 64, field + ".contact_id")
        }
        func count(_ items: Int, _ maximum: Int, _ field: String, minimum: Int = 0) throws(ValidationError) {
            guard items <= maximum, items >= minimum else {
                throw ValidationError(param: "\(param).\(field)", message: "\(field) holds \(minimum) to \(maximum) items.")
            }
        }
        try mailbox(from, "from")
        try count(to.count, 50, "to", minimum: 1)
        try count(cc?.count ?? 0, 50, "cc")
        try count(bcc?.count ?? 0, 50, "bcc")
        for (field, boxes) in [("to", to), ("cc", cc ?? []), ("bcc", bcc ?? [])] {
            for (index, box) in boxes.enumerated() { try mailbox(box, "\(field)[\(index)]") }
        }
        if let replyTo { try mailbox(replyTo, "reply_to") }
        try length(subject, 998, "subject")
        if let template {
            try length(template.id, 64, "template.id")
            if let version = template.version, !(1...999_999_999).contains(version) {
                throw ValidationError(param: "\(param).template.version", message: "template.version is 1 to 999999999.")
            }
        }
        for (name, value) in headers?.additionalProperties ?? [:] { try length(value, 998, "headers.\(name.prefix(76))") }
        try count(attachments?.count ?? 0, 20, "attachments")
        for (index, attachment) in (attachments ?? []).enumerated() {
            try length(attachment.filename, 255, "attachments[\(index)].filename", minimum: 1)
            try length(attachment.contentType, 127, "attachments[\(index)].content_type")
            try length(attachment.contentId, 200, "attachments[\(index)].content_id")
        }
        try count(tags?.count ?? 0, 10, "tags")
        for tag in tags ?? [] { try length(tag, 64, "tags", minimum: 1) }
        for (key, value) in metadata?.additionalProperties ?? [:] { try length(value, 500, "metadata.\(key.prefix(64))") }
    }
}
