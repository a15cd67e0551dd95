import NIOCore

/// Turns the bytes a server sends into `SMTPReply` values, joining multi-line replies (`250-…` then `250 …`).
///
/// It keeps partial lines between reads, so it can be fed whatever TCP delivers.
public struct SMTPReplyParser: Sendable {
    /// The longest reply line accepted; RFC 5321 allows 512 octets, real servers send a little more.
    public static let maximumLineLength = 4096

    private var buffer: ByteBuffer?
    private var pendingCode: Int?
    private var pendingLines: [String] = []

    public init() {}

    /// True when bytes that do not yet form a whole reply are held (a STARTTLS injection, if it happens at the TLS switch).
    public var hasBufferedBytes: Bool {
        (self.buffer?.readableBytes ?? 0) > 0 || self.pendingCode != nil
    }

    /// Adds received bytes; call `nextReply()` until it returns nil afterwards.
    public mutating func append(_ bytes: ByteBuffer) {
        if var existing = self.buffer, existing.readableBytes > 0 {
            self.buffer = nil  // keeps `existing` uniquely referenced, so the append does not copy
            existing.writeImmutableBuffer(bytes)
            self.buffer = existing
        } else {
            self.buffer = bytes
        }
    }

    /// The next complete reply, or nil when more bytes are needed.
    public mutating func nextReply() throws(SMTPClientError) -> SMTPReply? {
        while true {
            guard var buffer = self.buffer else { return nil }
            let newline = buffer.withUnsafeReadableBytes { $0.firstIndex(of: UInt8(ascii: "\n")) }
            guard let newline else {
                if buffer.readableBytes > Self.maximumLineLength {
                    throw .protocolViolation("reply line longer than \(Self.maximumLineLength) bytes")
                }
                return nil
            }
            var lineLength = newline
            if lineLength > 0, buffer.getInteger(at: buffer.readerIndex + lineLength - 1, as: UInt8.self) == UInt8(ascii: "\r") {
                lineLength -= 1
            }
            let line = buffer.readSlice(length: lineLength)!
            buffer.moveReaderIndex(forwardBy: newline - lineLength + 1)
            self.buffer = buffer.readableBytes > 0 ? buffer : nil
            if let reply = try self.consume(line: line) {
                return reply
            }
        }
    }

    private mutating func consume(line: ByteBuffer) throws(SMTPClientError) -> SMTPReply? {
        guard line.readableBytes >= 3, let code = Self.code(in: line) else {
            throw .protocolViolation("malformed reply line \"\(String(buffer: line).prefix(80))\"")
        }
        var isLast = true
        var text = ""
        if line.readableBytes > 3 {
            switch line.getInteger(at: line.readerIndex + 3, as: UInt8.self) {
            case UInt8(ascii: "-"): isLast = false
            case UInt8(ascii: " "): break
            default: throw .protocolViolation("malformed reply line \"\(String(buffer: line).prefix(80))\"")
            }
            text = line.getString(at: line.readerIndex + 4, length: line.readableBytes - 4) ?? ""
        }
        if let pendingCode = self.pendingCode, pendingCode != code {
            throw .protocolViolation("multi-line reply changed its code from \(pendingCode) to \(code)")
        }
        if isLast && self.pendingCode == nil {
            return SMTPReply(code: code, text)
        }
        self.pendingCode = code
        self.pendingLines.append(text)
        guard isLast else { return nil }
        var reply = SMTPReply(code: code, lines: self.pendingLines)
        if let enhanced = SMTPEnhancedStatusCode(prefixOf: self.pendingLines[0]), enhanced.statusClass == code / 100 {
            reply.enhancedStatusCode = enhanced
        }
        self.pendingCode = nil
        self.pendingLines = []
        return reply
    }

    private static func code(in line: ByteBuffer) -> Int? {
        var code = 0
        for offset in 0..<3 {
            let byte = line.getInteger(at: line.readerIndex + offset, as: UInt8.self)!
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            code = code * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return (200...599).contains(code) ? code : nil
    }
}
