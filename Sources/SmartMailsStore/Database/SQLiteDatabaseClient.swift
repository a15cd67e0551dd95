import Logging
import SQLKit
import SQLiteKit

/// The embedded default: one SQLite file in WAL mode. A single connection behind an `AsyncLock` serialises
/// writers (SQLite allows one at a time anyway) and makes transactions safe to share across tasks.
public final class SQLiteDatabaseClient: DatabaseClient {
    public let kind = DatabaseKind.sqlite
    private let connection: SQLiteConnection
    private let lock = AsyncLock()
    private let logger: Logger

    /// Opens (creating if needed) the database at `path` and sets WAL mode and a busy timeout, so another process
    /// (the CLI) writing at the same moment waits instead of failing.
    public static func open(path: String, logger: Logger) async throws -> SQLiteDatabaseClient {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let database = connection.sql(queryLogLevel: .trace)
        try await database.raw("PRAGMA journal_mode = WAL").run()
        try await database.raw("PRAGMA busy_timeout = 5000").run()
        try await database.raw("PRAGMA foreign_keys = ON").run()
        try await database.raw("PRAGMA synchronous = NORMAL").run()
        return SQLiteDatabaseClient(connection: connection, logger: logger)
    }

    private init(connection: SQLiteConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    public func withDatabase<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let database = connection.sql(queryLogLevel: .trace)
        return try await lock.withLock { try await body(database) }
    }

    public func withTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let database = connection.sql(queryLogLevel: .trace)
        return try await lock.withLock {
            // IMMEDIATE takes the write lock up front, so another process cannot make us fail half-way with SQLITE_BUSY.
            try await database.raw("BEGIN IMMEDIATE").run()
            do {
                let result = try await body(database)
                try await database.raw("COMMIT").run()
                return result
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    public func shutdown() async throws {
        try await connection.close()
    }

    /// One SQLite file has one server process; there is nobody to hear from.
    public func listen(channel: String, onNotification: @escaping @Sendable (String) -> Void) async throws -> Void? {
        nil
    }
}
