import SmartMailsCore

/// Why a contact, list, segment or import operation was refused; mapped to the API's error shape in one place.
public enum ContactError: Error, Equatable, Sendable {
    case notFound(kind: String, id: String)
    /// An upsert item that was not applied: `code` as in `UpsertOutcome.failed`.
    case rejected(code: String, param: String?, message: String)
    case batchTooLarge(count: Int, maximum: Int)
    case invalidRule(SegmentRuleError)
    /// The import has finished already (completed, failed or cancelled).
    case importFinished(id: String, status: String)
    case fileTooLarge(maximumBytes: Int64)
    /// The file cannot be read as CSV at all (its encoding, say).
    case unreadableFile(String)
}
