import Foundation
import NIOCore
import SMTPKit
import SmartMailsCore

/// Turns a stored message into the bytes that go on the wire: MIME, then a DKIM signature per key of the sending
/// domain (Ed25519 and RSA, RFC 8463), all over the same unsigned message.
enum MessageComposer {
    static func compose(_ message: Message, signers: [DKIMSigner], at date: Date) throws -> ByteBuffer {
        let content = message.content
        func address(_ mailbox: MessageAddress) throws -> MIMEAddress { try MIMEAddress(mailbox.email, displayName: mailbox.name) }
        let attachments = try content.attachments.map { attachment in
            guard let data = Data(base64Encoded: attachment.content) else { throw MIMEError.invalidParameter(name: "attachment", value: attachment.filename) }
            return MIMEAttachment(
                filename: attachment.filename, contentType: attachment.contentType, data: Array(data),
                disposition: attachment.contentID == nil ? .attachment : .inline, contentID: attachment.contentID
            )
        }
        let mime = MIMEMessage(
            from: try address(content.from), to: try content.to.map(address), cc: try content.cc.map(address),
            replyTo: try content.replyTo.map { [try address($0)] } ?? [], subject: content.subject,
            textBody: content.text, htmlBody: content.html, attachments: attachments,
            headers: try content.headers.map { try MIMEHeaderField($0.name, $0.value) },
            messageID: message.messageIDHeader, date: date
        )
        var bytes = try MIMEBuilder().buildBuffer(mime)
        let signatures = try signers.map { try $0.signatureHeader(for: bytes, at: date) }
        var signed = ByteBufferAllocator().buffer(capacity: bytes.readableBytes + signatures.reduce(0) { $0 + $1.utf8.count })
        for signature in signatures { signed.writeString(signature) }
        signed.writeBuffer(&bytes)
        return signed
    }
}
