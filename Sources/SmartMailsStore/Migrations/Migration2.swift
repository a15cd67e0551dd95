/// Rate-limit state shared by the nodes of a PostgreSQL deployment. UNLOGGED: it is rewritten on every request and
/// worth nothing after a crash (every key simply starts with its full allowance). SQLite serves a single process,
/// whose in-memory limiter is exact, so it needs no table.
enum Migration2 {
    static let sharedRateLimits = Migration(version: 2) { kind in
        kind == .postgres ? ["CREATE UNLOGGED TABLE rate_limit_state (key_id TEXT PRIMARY KEY, tat_us BIGINT NOT NULL)"] : []
    }
}
