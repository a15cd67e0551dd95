/// Writes CSV lines that `CSVReader` (and spreadsheets) read back unchanged, for exports and error reports.
public enum CSVWriter {
    /// One CSV line (RFC 4180, `\r\n` ended), quoting fields that contain the delimiter, a quote, CR or LF, or start/end with a space.
    public static func line(_ fields: [String], delimiter: UInt8 = UInt8(ascii: ",")) -> String {
        let quote = UInt8(ascii: "\"")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(fields.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(delimiter) }
            // A lone empty field is quoted, or the line would read back as an empty line and be skipped.
            if needsQuotes(field, delimiter: delimiter) || (fields.count == 1 && field.isEmpty) {
                bytes.append(quote)
                for byte in field.utf8 {
                    if byte == quote { bytes.append(quote) }
                    bytes.append(byte)
                }
                bytes.append(quote)
            } else {
                bytes.append(contentsOf: field.utf8)
            }
        }
        bytes.append(UInt8(ascii: "\r"))
        bytes.append(UInt8(ascii: "\n"))
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func needsQuotes(_ field: String, delimiter: UInt8) -> Bool {
        let utf8 = field.utf8
        let space = UInt8(ascii: " ")
        if utf8.first == space || utf8.last == space { return true }
        return utf8.contains { byte in
            byte == delimiter || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
        }
    }
}
