import Foundation
import SmartMailsAPI
import SmartMailsCore

extension MessageDraft {
    init(_ input: Components.Schemas.MessageInput) {
        func mailbox(_ box: Components.Schemas.Mailbox) -> Mailbox { Mailbox(email: box.email, name: box.name, contactID: box.contactId) }
        self.init(
            from: mailbox(input.from), to: input.to.map(mailbox), cc: (input.cc ?? []).map(mailbox), bcc: (input.bcc ?? []).map(mailbox),
            replyTo: input.replyTo.map(mailbox), subject: input.subject, html: input.html, text: input.text,
            // JSON objects carry no order; headers go out sorted by name, the same on every retry.
            headers: (input.headers?.additionalProperties ?? [:]).sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) },
            attachments: (input.attachments ?? []).map { .init(filename: $0.filename, contentType: $0.contentType, content: $0.content, contentID: $0.contentId) },
            tags: input.tags ?? [], metadata: input.metadata?.additionalProperties ?? [:], sendAt: input.sendAt.map(Timestamp.init)
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
            tags: message.tags, metadata: .init(additionalProperties: message.metadata), messageId: message.messageIDHeader,
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
