import SQLKit
import SmartMailsCore

/// Applies the schema's numbered steps (one file each, `MigrationN`) once each and in order.
public enum Migrations {
    static let steps: [Migration] = [Migration1.initial, Migration2.sharedRateLimits, Migration3.accounts, Migration4.contacts, Migration5.domains, Migration6.messages, Migration7.templates, Migration8.sendingControls]

    public static var latestVersion: Int { steps.last?.version ?? 0 }

    /// Applies every step not yet recorded in `schema_migrations`, each in its own transaction.
    /// Returns the versions applied.
    @discardableResult
    public static func migrate(_ client: any DatabaseClient, through lastVersion: Int = latestVersion) async throws -> [Int] {
        try await client.withAutocommit { database in
            try await database.raw(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)"
            ).run()
        }
        var applied: [Int] = []
        for step in steps where step.version <= lastVersion {
            let didApply = try await client.withTransaction { database -> Bool in
                if client.kind == .postgres {
                    // Several nodes may start at once; the lock makes the others wait and then see the step as done.
                    try await database.raw("SELECT pg_advisory_xact_lock(7261001)").run()
                }
                let existing = try await database.raw(
                    "SELECT version FROM schema_migrations WHERE version = \(bind: step.version)"
                ).first()
                guard existing == nil else { return false }
                for statement in step.statements(client.kind) {
                    try await database.raw(SQLQueryString(statement)).run()
                }
                try await database.raw(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (\(bind: step.version), \(bind: Timestamp.now.millisecondsSinceEpoch))"
                ).run()
                return true
            }
            if didApply { applied.append(step.version) }
        }
        return applied
    }
}
