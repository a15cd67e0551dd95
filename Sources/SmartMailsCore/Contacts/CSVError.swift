/// Why a CSV file could not be read, with the line to point the user at, so an import can fail with an actionable message.
public enum CSVError: Error, Equatable, Sendable {
    /// The input starts with a UTF-16 byte order mark or contains NUL bytes, as UTF-16 text does.
    case utf16
    /// Bytes that are not UTF-8, typically a Latin-1 or Windows-1252 export.
    case invalidUTF8(line: Int)
    /// The input ended inside a quoted field.
    case unterminatedQuote(line: Int)
    /// Something other than a delimiter or line break follows a closing quote.
    case unexpectedQuote(line: Int)
    /// A record grew past the reader's `maximumRecordBytes`, usually a stray quote swallowing the rest of the file.
    case recordTooLong(line: Int)

    /// A sentence for the API's error body: what is wrong and what to do about it.
    public var message: String {
        switch self {
        case .utf16:
            "The file is UTF-16: save it as UTF-8 and upload it again."
        case .invalidUTF8(let line):
            "The file is not UTF-8 (line \(line)): save it as UTF-8 and upload it again."
        case .unterminatedQuote(let line):
            "A quoted field opened on line \(line) is never closed: add the missing closing quote."
        case .unexpectedQuote(let line):
            "Unexpected text after a closing quote on line \(line): a quote inside a quoted field must be doubled (\"\")."
        case .recordTooLong(let line):
            "The record starting on line \(line) is too long: check for a missing closing quote."
        }
    }
}
