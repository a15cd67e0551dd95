import SQLKit

/// A connection to SmartMails' database, SQLite or PostgreSQL, in the three ways the stores use it.
public protocol DatabaseClient: Sendable {
    var kind: DatabaseKind { get }
    /// Runs `body`, which only reads. On SQLite it runs on a reader connection, so it never waits behind a write.
    func withReader<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body`, one statement that writes, committed on its own.
    func withAutocommit<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body` inside one transaction: all its statements commit together or none do, and the call returns only
    /// once the commit is durable. `body` must not start another transaction of its own.
    func withTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    func shutdown() async throws
    /// Calls `onNotification` with the payload of every notification on `channel` from any process sharing the
    /// database, until cancelled. Engines without notifications (SQLite) return nil at once.
    func listen(channel: String, onNotification: @escaping @Sendable (String) -> Void) async throws -> Void?
}

/// Which engine is behind a `DatabaseClient`, for the few statements whose SQL differs.
public enum DatabaseKind: String, Sendable {
    case sqlite
    case postgres
}
