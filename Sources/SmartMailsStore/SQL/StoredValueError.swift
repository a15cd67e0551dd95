/// A value in the database that this build cannot read back: an unknown scope, key mode or audit action, or a CIDR
/// block that does not parse. Reading fails rather than guessing, because every guess is more permissive than the
/// truth (an unreadable allowlist read as empty would allow every address).
public struct StoredValueError: Error, CustomStringConvertible, Sendable {
    public let table: String
    public let column: String
    /// The offending part of the value, never a secret (secrets are stored only as hashes).
    public let value: String

    public init(table: String, column: String, value: String) {
        self.table = table
        self.column = column
        self.value = value
    }

    public var description: String { "\(table).\(column) holds '\(value)', which this version of SmartMails cannot read" }
}
