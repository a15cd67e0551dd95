/// One CSV record and where it starts, so validation errors can name the line the user sees in a spreadsheet.
public struct CSVRecord: Sendable, Equatable {
    public var fields: [String]
    /// The 1-based physical line on which the record starts (quoted line breaks count).
    public var line: Int

    public init(fields: [String], line: Int) {
        self.fields = fields
        self.line = line
    }
}
