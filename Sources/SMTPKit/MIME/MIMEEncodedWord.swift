/// RFC 2047 encoded-words (`=?UTF-8?Q?Caf=C3=A9?=`) for non-ASCII text in headers; never splits a UTF-8 character.
enum MIMEEncodedWord {
    /// The longest encoded-word RFC 2047 allows.
    static let maxLength = 75
    private static let overhead = "=?UTF-8?Q??=".utf8.count

    /// Splits `text` into encoded-words: Q (readable) while it is at most a few bytes longer than B would be
    /// (Q costs three bytes per escaped byte, B a flat four-thirds), B otherwise.
    /// `firstBudget` lets the first word fit after the header name on the first line.
    static func encode(_ text: String, firstBudget: Int = maxLength) -> [[UInt8]] {
        let bytes = Array(text.utf8)
        let escaped = bytes.count(where: { !isQSafe($0) && $0 != 0x20 })
        let useQ = escaped * 6 <= bytes.count + 12
        var words: [[UInt8]] = []
        var chunk: [UInt8] = []
        var chunkCost = 0
        var budget = max(min(firstBudget, maxLength), 20) - overhead
        for scalar in text.unicodeScalars {
            let scalarBytes = Array(String(scalar).utf8)
            let cost: Int
            if useQ {
                cost = scalarBytes.reduce(0) { $0 + (isQSafe($1) || $1 == 0x20 ? 1 : 3) }
            } else {
                cost = MIMEBase64.encodedCount(chunk.count + scalarBytes.count) - chunkCost
            }
            if chunkCost + cost > budget, !chunk.isEmpty {
                words.append(word(chunk, q: useQ))
                chunk.removeAll(keepingCapacity: true)
                chunkCost = 0
                budget = maxLength - overhead
                chunkCost = useQ ? cost : MIMEBase64.encodedCount(scalarBytes.count)
            } else {
                chunkCost += cost
            }
            chunk.append(contentsOf: scalarBytes)
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk, q: useQ)) }
        return words
    }

    /// Characters RFC 2047 §5(3) allows unencoded even inside a phrase (display names), so one rule serves both.
    private static func isQSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "!"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: "-"), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }

    private static func word(_ bytes: [UInt8], q: Bool) -> [UInt8] {
        var out = Array((q ? "=?UTF-8?Q?" : "=?UTF-8?B?").utf8)
        if q {
            for byte in bytes {
                if byte == 0x20 {
                    out.append(UInt8(ascii: "_"))
                } else if isQSafe(byte) {
                    out.append(byte)
                } else {
                    out.append(UInt8(ascii: "="))
                    out.append(MIMEQuotedPrintable.hex[Int(byte >> 4)])
                    out.append(MIMEQuotedPrintable.hex[Int(byte & 0x0F)])
                }
            }
        } else {
            MIMEBase64.encode(bytes, into: &out)
        }
        out.append(contentsOf: "?=".utf8)
        return out
    }
}
