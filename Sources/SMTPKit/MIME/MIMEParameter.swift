/// Content-Type / Content-Disposition parameters (`name="a.pdf"`), switching to RFC 2231 (`filename*=utf-8''…`,
/// with continuations) for non-ASCII or long values.
enum MIMEParameter {
    static let quotedLimit = 60

    /// The parameter as header segments; every segment but the last ends in `;`.
    static func segments(_ key: String, _ value: String) -> [[UInt8]] {
        let bytes = Array(value.utf8)
        let quotable = bytes.count <= quotedLimit
            && bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        if quotable {
            return [Array("\(key)=\"\(value)\"".utf8)]
        }
        var pieces: [[UInt8]] = [Array("utf-8''".utf8)]
        for byte in bytes {
            var encoded: [UInt8]
            if isAttrChar(byte) {
                encoded = [byte]
            } else {
                encoded = [UInt8(ascii: "%"), MIMEQuotedPrintable.hex[Int(byte >> 4)], MIMEQuotedPrintable.hex[Int(byte & 0x0F)]]
            }
            if pieces[pieces.count - 1].count + encoded.count > quotedLimit {
                pieces.append([])
            }
            pieces[pieces.count - 1].append(contentsOf: encoded)
            encoded.removeAll()
        }
        if pieces.count == 1 {
            return [Array("\(key)*=".utf8) + pieces[0]]
        }
        return pieces.enumerated().map { index, piece in
            Array("\(key)*\(index)*=".utf8) + piece + (index < pieces.count - 1 ? [UInt8(ascii: ";")] : [])
        }
    }

    /// RFC 2231 attribute-char: token characters other than `*`, `'` and `%`.
    private static func isAttrChar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$&+-.^_`|~".utf8.contains(byte)
        }
    }
}
