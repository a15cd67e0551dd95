import Logging
import SQLKit
import SQLiteKit
import Synchronization

/// The embedded default: one SQLite file in WAL mode, with one writer connection and a few reader connections.
///
/// In WAL mode readers see the last committed state and never wait for the writer, so dashboards, lookups and queue
/// scans stay fast during imports and sends. Every write goes through `SQLiteWriter`, which commits the transactions
/// waiting at that moment together: `synchronous = FULL` makes each commit durable (fsync of the WAL), and grouping
/// makes that one fsync per batch rather than per transaction.
public final class SQLiteDatabaseClient: DatabaseClient {
    /// Readers beyond this only queue on SQLite's thread pool, which has one thread per core.
    static let readerCount = 4
    /// How long a connection waits for another process's lock (the CLI writing while the server runs) before
    /// failing with SQLITE_BUSY.
    static let busyTimeoutMilliseconds = 5_000

    public let kind = DatabaseKind.sqlite
    let writer: SQLiteWriter
    private let readers: [SQLiteConnection]
    private let nextReader = Atomic<UInt>(0)

    /// Opens (creating if needed) the database at `path`.
    public static func open(path: String, logger: Logger) async throws -> SQLiteDatabaseClient {
        let writeConnection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let database = writeConnection.sql(queryLogLevel: .trace)
        try await database.raw("PRAGMA journal_mode = WAL").run()
        try await database.raw("PRAGMA busy_timeout = \(unsafeRaw: String(busyTimeoutMilliseconds))").run()
        try await database.raw("PRAGMA foreign_keys = ON").run()
        // FULL: a commit is on disk when it returns, so what the API acknowledged survives a power cut, not only a
        // killed process (NORMAL in WAL mode can lose the last commits to a power cut).
        try await database.raw("PRAGMA synchronous = FULL").run()
        var readers: [SQLiteConnection] = []
        for _ in 0..<readerCount {
            let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            let sql = reader.sql(queryLogLevel: .trace)
            try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(busyTimeoutMilliseconds))").run()
            // A write sent to a reader by mistake fails instead of bypassing the writer's batching.
            try await sql.raw("PRAGMA query_only = ON").run()
            readers.append(reader)
        }
        return SQLiteDatabaseClient(writer: SQLiteWriter(connection: writeConnection, logger: logger), readers: readers)
    }

    private init(writer: SQLiteWriter, readers: [SQLiteConnection]) {
        self.writer = writer
        self.readers = readers
    }

    public func withReader<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        // The connections are opened FULLMUTEX, so tasks may share one; turns only spread the load.
        let index = Int(nextReader.add(1, ordering: .relaxed).oldValue % UInt(readers.count))
        return try await body(readers[index].sql(queryLogLevel: .trace))
    }

    public func withAutocommit<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await writer.transaction(body)
    }

    public func withTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await writer.transaction(body)
    }

    /// Commits made so far; each holds one or more transactions.
    public var commitCount: Int { writer.commitCount }
    /// Transactions waiting for the writer.
    public var queuedTransactionCount: Int { writer.queuedCount }

    public func shutdown() async throws {
        // In a task of its own: closing runs on NIO's thread pool, which refuses work for a cancelled task, and a
        // shutdown during cancellation (a time limit, a lifecycle cancel) must still close every connection.
        let (writer, readers) = (self.writer, self.readers)
        try await Task {
            await writer.drain()
            for reader in readers { try await reader.close() }
            try await writer.connection.close()
        }.value
    }

    /// One SQLite file has one server process; there is nobody to hear from.
    public func listen(channel: String, onNotification: @escaping @Sendable (String) -> Void) async throws -> Void? {
        nil
    }
}
