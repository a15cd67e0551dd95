/// A CSV import running in the background, and how far it got.
public struct ImportJob: Sendable {
    public static let idPrefix = "imp"
    /// Errors kept per import; the rest are only counted.
    public static let maximumErrors = 100

    public enum Status: String, Sendable, CaseIterable {
        case queued, running, completed, failed, cancelled

        public var isFinished: Bool { self == .completed || self == .failed || self == .cancelled }
    }

    public var id: String
    public var workspaceID: String
    public var status: Status
    public var options: ImportOptions
    public var fileName: String?
    public var bytesTotal: Int64
    public var bytesRead: Int64
    /// Data rows in the file (counted as it was uploaded, the header not included).
    public var rowsTotal: Int
    public var rowsRead: Int
    public var tally: UpsertTally
    public var errors: [ImportRowError]
    /// Why a failed import stopped (an encoding the file is not in, say).
    public var failure: String?
    public var createdBy: String
    public var createdAt: Timestamp
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?

    public init(
        id: String, workspaceID: String, status: Status = .queued, options: ImportOptions, fileName: String?, bytesTotal: Int64,
        bytesRead: Int64 = 0, rowsTotal: Int = 0, rowsRead: Int = 0, tally: UpsertTally = UpsertTally(), errors: [ImportRowError] = [],
        failure: String? = nil, createdBy: String, createdAt: Timestamp, startedAt: Timestamp? = nil, finishedAt: Timestamp? = nil
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.status = status
        self.options = options
        self.fileName = fileName
        self.bytesTotal = bytesTotal
        self.bytesRead = bytesRead
        self.rowsTotal = rowsTotal
        self.rowsRead = rowsRead
        self.tally = tally
        self.errors = errors
        self.failure = failure
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// A row an import could not apply, by its line in the file (the header is line 1).
public struct ImportRowError: Sendable, Hashable {
    public var line: Int
    public var field: String?
    public var message: String

    public init(line: Int, field: String?, message: String) {
        self.line = line
        self.field = field
        self.message = message
    }
}
