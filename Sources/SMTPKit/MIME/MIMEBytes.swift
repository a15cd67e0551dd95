/// Small byte-level helpers for building bodies and identifiers.
enum MIMEBytes {
    /// Any of CRLF, bare LF or bare CR becomes CRLF, and the text ends with a line break.
    static func normalizedLines(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + text.utf8.count / 32 + 2)
        var previousCR = false
        for byte in text.utf8 {
            if byte == 10 {
                if !previousCR { out.append(13) }
                out.append(10)
            } else if previousCR {
                out.append(10)
                out.append(byte)
            } else if byte != 13 {
                out.append(byte)
            } else {
                out.append(13)
            }
            previousCR = byte == 13
        }
        if previousCR { out.append(10) }
        if !out.isEmpty, out.last != 10 { out.append(contentsOf: [13, 10]) }
        return out
    }

    static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for _ in 0..<count {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            out.append(MIMEQuotedPrintable.hex[Int(byte >> 4)] | 0x20)  // lowercase hex
            out.append(MIMEQuotedPrintable.hex[Int(byte & 0x0F)] | 0x20)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { start in
            haystack[start] == needle[0] && haystack[start..<(start + needle.count)].elementsEqual(needle)
        }
    }
}
