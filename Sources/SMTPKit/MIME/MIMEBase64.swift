/// Base64 straight into a byte array, optionally wrapped in CRLF lines; avoids Data/String round trips on the hot path.
enum MIMEBase64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encodedCount(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Lines of `lineLength` characters separated by CRLF, with no CRLF after the last line.
    static func encode<Bytes: Collection<UInt8>>(_ input: Bytes, lineLength: Int? = nil, into out: inout [UInt8]) {
        let perLine = lineLength.map { max(4, $0 / 4 * 4) }
        var column = 0
        var iterator = input.makeIterator()
        func emit(_ char: UInt8, _ out: inout [UInt8]) {
            if let perLine, column == perLine {
                out.append(13)
                out.append(10)
                column = 0
            }
            out.append(char)
            column += 1
        }
        while let b0 = iterator.next() {
            let b1 = iterator.next()
            let b2 = b1 == nil ? nil : iterator.next()
            emit(alphabet[Int(b0 >> 2)], &out)
            emit(alphabet[Int((b0 & 0x03) << 4 | (b1 ?? 0) >> 4)], &out)
            emit(b1.map { alphabet[Int(($0 & 0x0F) << 2 | (b2 ?? 0) >> 6)] } ?? UInt8(ascii: "="), &out)
            emit(b2.map { alphabet[Int($0 & 0x3F)] } ?? UInt8(ascii: "="), &out)
        }
    }

    static func encode<Bytes: Collection<UInt8>>(_ input: Bytes) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(encodedCount(input.count))
        encode(input, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Lenient decoder (skips whitespace) for PEM and tests; nil on any other invalid character.
    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var accumulator: UInt32 = 0
        var bits = 0
        for char in text.utf8 {
            let value: UInt8
            switch char {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = char - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = char - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = char - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="), 9, 10, 13, 32: continue
            default: return nil
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }
}
