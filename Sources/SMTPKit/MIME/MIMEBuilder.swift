import struct Foundation.Date
import struct NIOCore.ByteBuffer
import struct NIOCore.ByteBufferAllocator

/// Renders a `MIMEMessage` into wire bytes (CRLF lines of at most 998 octets) once, so the same buffer can be
/// signed and sent to any number of recipients. Output is deterministic when seed, Message-ID and date are given.
public struct MIMEBuilder: Sendable {
    /// Makes boundaries `=_<seed>_<n>`; nil picks a random seed per message. Letters, digits, `-`, `.`, `_` only.
    public var boundarySeed: String?

    public init(boundarySeed: String? = nil) {
        self.boundarySeed = boundarySeed
    }

    /// The complete message: headers, blank line, body, ending in CRLF.
    public func build(_ message: MIMEMessage) throws -> [UInt8] {
        let seed = try boundarySeed.map(MIMEValidation.validatedSeed) ?? MIMEBytes.randomHex(bytes: 8)
        let body = try bodyPart(message, seed: seed)
        var writer = MIMEHeaderWriter(capacity: body.estimatedSize + 1024)
        try writeEnvelopeHeaders(message, into: &writer)
        var counter = 0
        body.write(into: &writer, seed: seed, counter: &counter)
        if writer.bytes.suffix(2) != [13, 10] { writer.bytes.append(contentsOf: [13, 10]) }
        return writer.bytes
    }

    /// The same bytes in a `ByteBuffer`, ready for NIO writes (copy-on-write, so sharing it costs nothing).
    public func buildBuffer(_ message: MIMEMessage, allocator: ByteBufferAllocator = ByteBufferAllocator()) throws -> ByteBuffer {
        let bytes = try build(message)
        var buffer = allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        return buffer
    }

    private func writeEnvelopeHeaders(_ message: MIMEMessage, into writer: inout MIMEHeaderWriter) throws {
        try MIMEHeaderField.validate(value: message.subject, of: "Subject")
        for header in message.headers {
            try MIMEHeaderField.validate(name: header.name)
            try MIMEHeaderField.validate(value: header.value, of: header.name)
            if MIMEHeaderField.reservedNames.contains(header.name.lowercased()) {
                throw MIMEError.reservedHeader(header.name)
            }
        }
        let messageID = try message.messageID.map(MIMEValidation.validatedMessageID)
            ?? "<\(MIMEBytes.randomHex(bytes: 16))@\(message.from.domain)>"
        writer.write("Date", MIMEDate.format(message.date ?? Date()))
        writer.writeAddresses("From", [message.from])
        if !message.replyTo.isEmpty { writer.writeAddresses("Reply-To", message.replyTo) }
        if !message.to.isEmpty { writer.writeAddresses("To", message.to) }
        if !message.cc.isEmpty { writer.writeAddresses("Cc", message.cc) }
        writer.writeUnstructured("Subject", message.subject)
        writer.write("Message-ID", messageID)
        for header in message.headers { writer.writeUnstructured(header.name, header.value) }
        writer.write("MIME-Version", "1.0")
    }

    /// mixed( related( alternative(text, html), images… ), attachments… ), dropping every level that has one child.
    private func bodyPart(_ message: MIMEMessage, seed: String) throws -> MIMEPart {
        var alternatives: [MIMEPart] = []
        if let text = message.textBody { alternatives.append(textPart(text, subtype: "plain", seed: seed)) }
        if let html = message.htmlBody { alternatives.append(textPart(html, subtype: "html", seed: seed)) }
        if alternatives.isEmpty { alternatives.append(textPart("", subtype: "plain", seed: seed)) }
        var content = alternatives.count == 1 ? alternatives[0] : .multipart(subtype: "alternative", children: alternatives)

        let related = try message.attachments.filter(\.isRelated).map(attachmentPart)
        if !related.isEmpty { content = .multipart(subtype: "related", children: [content] + related) }

        let mixed = try message.attachments.filter { !$0.isRelated }.map(attachmentPart)
        if !mixed.isEmpty { content = .multipart(subtype: "mixed", children: [content] + mixed) }
        return content
    }

    private func textPart(_ text: String, subtype: String, seed: String) -> MIMEPart {
        let bytes = MIMEBytes.normalizedLines(text)
        var encoding = MIMETransferEncoding.choose(for: bytes)
        if encoding == .sevenBit, MIMEBytes.contains(bytes, Array("=_\(seed)".utf8)) { encoding = .quotedPrintable }
        var body: [UInt8] = []
        encoding.encode(bytes, into: &body)
        return .leaf(
            headers: [
                ("Content-Type", [Array("text/\(subtype);".utf8), Array("charset=utf-8".utf8)]),
                ("Content-Transfer-Encoding", [Array(encoding.rawValue.utf8)]),
            ],
            body: body
        )
    }

    private func attachmentPart(_ attachment: MIMEAttachment) throws -> MIMEPart {
        try MIMEValidation.validate(contentType: attachment.contentType)
        if attachment.filename.isEmpty || attachment.filename.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw MIMEError.invalidParameter(name: "filename", value: attachment.filename)
        }
        var headers: [(name: String, segments: [[UInt8]])] = [
            ("Content-Type", [Array("\(attachment.contentType);".utf8)] + MIMEParameter.segments("name", attachment.filename)),
            ("Content-Transfer-Encoding", [Array("base64".utf8)]),
        ]
        if let contentID = attachment.contentID {
            try MIMEValidation.validate(id: contentID, name: "Content-ID")
            headers.append(("Content-ID", [Array("<\(contentID)>".utf8)]))
        }
        headers.append((
            "Content-Disposition",
            [Array("\(attachment.disposition.rawValue);".utf8)] + MIMEParameter.segments("filename", attachment.filename)
        ))
        var body: [UInt8] = []
        body.reserveCapacity(attachment.data.count * 137 / 100 + 4)
        MIMEBase64.encode(attachment.data, lineLength: 76, into: &body)
        return .leaf(headers: headers, body: body)
    }
}
