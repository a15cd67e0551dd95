/// Writes header fields folded at 78 columns where possible (never past 998), encoding non-ASCII per RFC 2047.
struct MIMEHeaderWriter {
    static let foldColumn = 78
    static let hardLimit = 998

    var bytes: [UInt8]

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Free text (Subject, custom headers): plain when it is ASCII that folds within limits, encoded-words otherwise.
    mutating func writeUnstructured(_ name: String, _ value: String) {
        let prefix = name.utf8.count + 2
        let valueBytes = Array(value.utf8)
        let plain = valueBytes.allSatisfy({ $0 < 0x80 }) && !Self.looksEncoded(valueBytes)
        if plain {
            let segments = Self.segments(valueBytes)
            let fits = segments.enumerated().allSatisfy { index, segment in
                segment.count + (index == 0 ? prefix : 1) <= Self.hardLimit
            }
            if fits {
                write(name, segments: segments)
                return
            }
        }
        write(name, segments: MIMEEncodedWord.encode(value, firstBudget: Self.foldColumn - prefix))
    }

    /// An address list, folded between addresses or between display-name words.
    mutating func writeAddresses(_ name: String, _ addresses: [MIMEAddress]) {
        var segments: [[UInt8]] = []
        for (index, address) in addresses.enumerated() {
            if let displayName = address.displayName {
                segments.append(contentsOf: Self.phrase(displayName, firstBudget: Self.foldColumn - name.utf8.count - 2))
            }
            var addr = Array(address.displayName == nil ? address.address.utf8 : "<\(address.address)>".utf8)
            if index < addresses.count - 1 { addr.append(UInt8(ascii: ",")) }
            segments.append(addr)
        }
        write(name, segments: segments)
    }

    /// A structured value already made of safe ASCII tokens; breaks only between the given segments.
    mutating func write(_ name: String, segments: [[UInt8]]) {
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: ":"))
        var column = name.utf8.count + 1
        for segment in segments where !(segment.isEmpty && segments.count == 1) {
            if column + 1 + segment.count > Self.foldColumn, column > name.utf8.count + 1 {
                bytes.append(13)
                bytes.append(10)
                column = 0
            }
            bytes.append(0x20)
            bytes.append(contentsOf: segment)
            column += 1 + segment.count
        }
        bytes.append(13)
        bytes.append(10)
    }

    mutating func write(_ name: String, _ value: String) {
        write(name, segments: [Array(value.utf8)])
    }

    /// A display name as atoms, a quoted-string, or encoded-words; returns the words so folding can happen between them.
    static func phrase(_ text: String, firstBudget: Int) -> [[UInt8]] {
        let bytes = Array(text.utf8)
        if bytes.contains(where: { $0 >= 0x80 }) || looksEncoded(bytes) {
            return MIMEEncodedWord.encode(text, firstBudget: firstBudget)
        }
        let atext = Array("!#$%&'*+-/=?^_`{|}~".utf8)
        let isAtoms = bytes.allSatisfy { byte in
            byte == 0x20 || (byte > 0x20 && byte < 0x7F && (isAlnum(byte) || atext.contains(byte)))
        }
        if isAtoms && bytes.first != 0x20 && bytes.last != 0x20 {
            return segments(bytes)
        }
        var quoted: [UInt8] = [UInt8(ascii: "\"")]
        for byte in bytes {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { quoted.append(UInt8(ascii: "\\")) }
            quoted.append(byte)
        }
        quoted.append(UInt8(ascii: "\""))
        return segments(quoted)
    }

    /// Splits at single spaces that precede a non-space, so unfolding restores the exact original text
    /// and no folded line is whitespace only.
    static func segments(_ bytes: [UInt8]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var start = 0
        var index = 1
        while index < bytes.count {
            if bytes[index - 1] != 0x20, bytes[index] == 0x20, index + 1 < bytes.count, bytes[index + 1] != 0x20 {
                result.append(Array(bytes[start..<index]))
                start = index + 1
            }
            index += 1
        }
        result.append(Array(bytes[start...]))
        return result
    }

    /// Text holding `=?` and `?=` would be decoded by readers as if it were encoded; encode it to keep it literal.
    private static func looksEncoded(_ bytes: [UInt8]) -> Bool {
        guard let open = bytes.indices.first(where: { bytes[$0] == UInt8(ascii: "=") && $0 + 1 < bytes.count && bytes[$0 + 1] == UInt8(ascii: "?") })
        else { return false }
        return bytes[(open + 2)...].indices.contains { bytes[$0] == UInt8(ascii: "?") && $0 + 1 < bytes.count && bytes[$0 + 1] == UInt8(ascii: "=") }
    }

    private static func isAlnum(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
