import SQLKit
import SmartMailsCore

/// The schema, as numbered steps applied once each and in order. The SQL is the common subset of SQLite and
/// PostgreSQL: times are BIGINT milliseconds since the epoch, so both engines store and compare them alike.
public enum Migrations {
    static let steps: [(version: Int, statements: @Sendable (DatabaseKind) -> [String])] = [
        (1, { _ in [
            """
            CREATE TABLE workspaces (
                id TEXT PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL, created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id), email TEXT NOT NULL,
                role TEXT NOT NULL, created_at BIGINT NOT NULL, UNIQUE (workspace_id, email))
            """,
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL,
                mode TEXT NOT NULL, display_prefix TEXT NOT NULL, last_four TEXT NOT NULL, scopes TEXT NOT NULL,
                allowed_ips TEXT NOT NULL, rate_limit_requests BIGINT NOT NULL, rate_limit_seconds BIGINT NOT NULL,
                expires_at BIGINT, created_at BIGINT NOT NULL, created_by TEXT, updated_at BIGINT NOT NULL,
                last_used_at BIGINT, last_used_ip TEXT, revoked_at BIGINT)
            """,
            "CREATE INDEX api_keys_by_workspace ON api_keys (workspace_id, id)",
            """
            CREATE TABLE api_key_secrets (
                hash TEXT PRIMARY KEY, key_id TEXT NOT NULL REFERENCES api_keys(id), created_at BIGINT NOT NULL,
                expires_at BIGINT)
            """,
            "CREATE INDEX api_key_secrets_by_key ON api_key_secrets (key_id)",
            """
            CREATE TABLE api_key_usage (
                key_id TEXT NOT NULL, workspace_id TEXT NOT NULL, minute BIGINT NOT NULL, status_class BIGINT NOT NULL,
                request_count BIGINT NOT NULL, PRIMARY KEY (key_id, minute, status_class))
            """,
            """
            CREATE TABLE audit_log (
                id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, occurred_at BIGINT NOT NULL, actor TEXT NOT NULL,
                action TEXT NOT NULL, target_type TEXT NOT NULL, target_id TEXT NOT NULL, ip TEXT, changes TEXT NOT NULL)
            """,
            "CREATE INDEX audit_log_by_workspace ON audit_log (workspace_id, id)",
            """
            CREATE TABLE idempotency_keys (
                workspace_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, request_fingerprint TEXT NOT NULL,
                status BIGINT, response_body TEXT, created_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, idempotency_key))
            """,
        ] }),
        // Rate-limit state shared by the nodes of a PostgreSQL deployment. UNLOGGED: it is rewritten on every
        // request and worth nothing after a crash (every key simply starts with its full allowance).
        // SQLite serves a single process, whose in-memory limiter is exact, so it needs no table.
        (2, { kind in
            kind == .postgres ? ["CREATE UNLOGGED TABLE rate_limit_state (key_id TEXT PRIMARY KEY, tat_us BIGINT NOT NULL)"] : []
        }),
    ]

    public static var latestVersion: Int { steps.last?.version ?? 0 }

    /// Applies every step not yet recorded in `schema_migrations`, each in its own transaction.
    /// Returns the versions applied.
    @discardableResult
    public static func migrate(_ client: any DatabaseClient) async throws -> [Int] {
        try await client.withDatabase { database in
            try await database.raw(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)"
            ).run()
        }
        var applied: [Int] = []
        for step in steps {
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
