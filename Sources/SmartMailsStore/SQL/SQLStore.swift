import Logging
import SQLKit
import SmartMailsCore

/// The one implementation of every store protocol, in SQL that runs unchanged on SQLite and PostgreSQL
/// (placeholders are rendered per dialect by SQLKit).
public final class SQLStore: Sendable {
    public let client: any DatabaseClient

    public init(client: any DatabaseClient) {
        self.client = client
    }

    /// Opens PostgreSQL when `databaseURL` is set, otherwise the SQLite file at `sqlitePath`, and migrates it (only
    /// through `migratingThrough` when given: tests of a migration start from the schema before it).
    public static func open(databaseURL: String?, sqlitePath: String, logger: Logger, migratingThrough version: Int? = nil) async throws -> SQLStore {
        let client: any DatabaseClient =
            if let databaseURL, !databaseURL.isEmpty {
                try await PostgresDatabaseClient.connect(url: databaseURL, logger: logger)
            } else {
                try await SQLiteDatabaseClient.open(path: sqlitePath, logger: logger)
            }
        do {
            try await Migrations.migrate(client, through: version ?? Migrations.latestVersion)
        } catch {
            try? await client.shutdown()
            throw error
        }
        return SQLStore(client: client)
    }

    /// True when a trivial query succeeds: what `/readyz` reports.
    public func ping() async -> Bool {
        do {
            return try await client.withReader { try await $0.raw("SELECT 1 AS ok").first() != nil }
        } catch {
            return false
        }
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }
}

extension SQLRow {
    func int64(_ column: String) throws -> Int64 { try decode(column: column, as: Int64.self) }
    func optionalInt64(_ column: String) throws -> Int64? { try decode(column: column, as: Int64?.self) }
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func optionalString(_ column: String) throws -> String? { try decode(column: column, as: String?.self) }
    func timestamp(_ column: String) throws -> Timestamp { Timestamp(millisecondsSinceEpoch: try int64(column)) }
    func optionalTimestamp(_ column: String) throws -> Timestamp? {
        try optionalInt64(column).map(Timestamp.init(millisecondsSinceEpoch:))
    }
    /// A text column read through `parse`; a value it does not accept is a `StoredValueError`, never a default.
    func decoded<T>(_ column: String, table: String, as parse: (String) -> T?) throws -> T {
        let text = try string(column)
        guard let value = parse(text) else { throw StoredValueError(table: table, column: column, value: text) }
        return value
    }
}

extension SQLDatabase {
    func insertAudit(_ event: AuditEvent) async throws {
        try await raw("""
            INSERT INTO audit_log (id, workspace_id, occurred_at, actor, action, target_type, target_id, ip, changes)
            VALUES (\(bind: event.id), \(bind: event.workspaceID), \(bind: event.occurredAt.millisecondsSinceEpoch),
                    \(bind: event.actor), \(bind: event.action.rawValue), \(bind: event.targetType), \(bind: event.targetID),
                    \(bind: event.ip), \(bind: AuditChangesCoding.encode(event.changes)))
            """).run()
    }
}

extension SQLStore: ReadinessProbe {}
