/// Quoted-printable body encoding (RFC 2045 §6.7) with lines kept to 76 characters.
enum MIMEQuotedPrintable {
    static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// `input` must already use CRLF line breaks; those stay hard breaks, long lines get soft breaks (`=`).
    static func encode(_ input: [UInt8], into out: inout [UInt8]) {
        out.reserveCapacity(out.count + input.count + input.count / 8)
        var column = 0
        var index = 0
        let count = input.count
        while index < count {
            let byte = input[index]
            if byte == 13, index + 1 < count, input[index + 1] == 10 {
                out.append(13)
                out.append(10)
                column = 0
                index += 2
                continue
            }
            let atLineEnd = index + 1 == count || (input[index + 1] == 13 && index + 2 < count && input[index + 2] == 10)
            let literal: Bool
            switch byte {
            case 0x21...0x3C, 0x3E...0x7E: literal = true
            case 0x20, 0x09: literal = !atLineEnd  // trailing whitespace would be stripped in transit
            default: literal = false
            }
            let width = literal ? 1 : 3
            // Keep room for the soft-break "=" unless this is the line's last character.
            let limit = atLineEnd ? 76 : 75
            if column + width > limit {
                out.append(UInt8(ascii: "="))
                out.append(13)
                out.append(10)
                column = 0
            }
            if literal {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "="))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
            column += width
            index += 1
        }
    }
}
