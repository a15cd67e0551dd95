/// The header fields of a raw message, as byte ranges (no copies), plus where the body starts.
/// Accepts CRLF or bare-LF line endings, since it must sign bytes produced by anyone.
struct DKIMMessageHeaders {
    struct Field {
        /// From the first byte of the name to the end of the last line, line ending included.
        var range: Range<Int>
        /// The name, without trailing whitespace before the colon.
        var name: Range<Int>
    }

    var fields: [Field]
    var bodyStart: Int

    init(_ message: UnsafeBufferPointer<UInt8>) throws {
        fields = []
        fields.reserveCapacity(24)
        let count = message.count
        var position = 0
        while position < count {
            // A blank line ends the header block.
            if message[position] == 10 { position += 1; break }
            if message[position] == 13, position + 1 < count, message[position + 1] == 10 { position += 2; break }
            if message[position] == 0x20 || message[position] == 0x09 {
                throw DKIMError.malformedMessage("continuation line without a header field at byte \(position)")
            }
            let start = position
            var colon = -1
            // The field runs to the end of the line, plus any continuation lines that start with whitespace.
            while position < count {
                let byte = message[position]
                position += 1
                if byte == UInt8(ascii: ":"), colon < 0 { colon = position - 1 }
                if byte == 10 {
                    if position < count, message[position] == 0x20 || message[position] == 0x09 { continue }
                    break
                }
            }
            guard colon > start else {
                throw DKIMError.malformedMessage("header line without a colon at byte \(start)")
            }
            var nameEnd = colon
            while nameEnd > start, message[nameEnd - 1] == 0x20 || message[nameEnd - 1] == 0x09 { nameEnd -= 1 }
            fields.append(Field(range: start..<position, name: start..<nameEnd))
        }
        bodyStart = min(position, count)
    }
}
