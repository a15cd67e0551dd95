import NIOCore

/// Renders an `APIError` as the JSON body every error response carries:
/// `{"error":{"code":…,"message":…,"param":…,"request_id":…,"type":…}}`, keys sorted, `param` only when there is one.
/// Written by hand rather than through `JSONEncoder` so that a refusal, which a misbehaving client sends by the
/// thousand, costs less than serving the request would.
enum APIErrorBody {
    static func buffer(for error: APIError, requestID: String) -> ByteBuffer {
        let param = error.param
        // Room for the keys and the values unescaped, so that a message without quotes or control characters is
        // written without the buffer growing.
        let valueBytes = error.code.utf8.count + error.message.utf8.count + (param?.utf8.count ?? 0) + requestID.utf8.count
            + error.kind.rawValue.utf8.count
        var buffer = ByteBufferAllocator().buffer(capacity: 80 + valueBytes)
        buffer.writeStaticString(#"{"error":{"code":"#)
        writeString(error.code, into: &buffer)
        buffer.writeStaticString(#","message":"#)
        writeString(error.message, into: &buffer)
        if let param {
            buffer.writeStaticString(#","param":"#)
            writeString(param, into: &buffer)
        }
        buffer.writeStaticString(#","request_id":"#)
        writeString(requestID, into: &buffer)
        buffer.writeStaticString(#","type":"#)
        writeString(error.kind.rawValue, into: &buffer)
        buffer.writeStaticString("}}")
        return buffer
    }

    /// `string` as a JSON string (RFC 8259 §7): the quotation mark, the reverse solidus and the control characters
    /// escaped, every other character as its UTF-8 bytes. Runs without any of those are copied in one step.
    static func writeString(_ string: String, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[runStart..<index])))
                writeEscaped(byte, into: &buffer)
                runStart = index + 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[runStart...])))
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    private static func writeEscaped(_ byte: UInt8, into buffer: inout ByteBuffer) {
        switch byte {
        case UInt8(ascii: "\""): buffer.writeStaticString(#"\""#)
        case UInt8(ascii: "\\"): buffer.writeStaticString(#"\\"#)
        case UInt8(ascii: "\n"): buffer.writeStaticString(#"\n"#)
        case UInt8(ascii: "\r"): buffer.writeStaticString(#"\r"#)
        case UInt8(ascii: "\t"): buffer.writeStaticString(#"\t"#)
        default:
            let hexDigits: StaticString = "0123456789abcdef"
            buffer.writeStaticString(#"\u00"#)
            let (high, low) = hexDigits.withUTF8Buffer { ($0[Int(byte >> 4)], $0[Int(byte & 0x0F)]) }
            buffer.writeMultipleIntegers(high, low)
        }
    }
}
