import SQLKit
import SmartMailsCore

extension SQLStore: SharedRateLimitStore {
    /// Microseconds from PostgreSQL's own clock, so nodes with drifting clocks still agree.
    private static let databaseNow = "(extract(epoch from clock_timestamp()) * 1000000)::bigint"

    public func takeFromAllowance(keyID: String, policy: RateLimitPolicy) async throws -> GCRA.Decision {
        precondition(client.kind == .postgres, "shared rate limits live in PostgreSQL")
        let (period, interval) = GCRA.window(policy, unitsPerSecond: 1_000_000)
        return try await client.withAutocommit { database in
            // The conditional upsert is the whole algorithm: the row moves only when the request fits the window.
            if let admitted = try await database.raw("""
                WITH clock AS (SELECT \(unsafeRaw: Self.databaseNow) AS now_us)
                INSERT INTO rate_limit_state AS state (key_id, tat_us)
                SELECT \(bind: keyID), clock.now_us + \(bind: interval) FROM clock
                ON CONFLICT (key_id) DO UPDATE
                    SET tat_us = GREATEST(state.tat_us, (SELECT now_us FROM clock)) + \(bind: interval)
                    WHERE GREATEST(state.tat_us, (SELECT now_us FROM clock)) + \(bind: interval) - (SELECT now_us FROM clock) <= \(bind: period)
                RETURNING tat_us, (SELECT now_us FROM clock) AS now_us
                """).first() {
                return GCRA.allowed(newArrival: try admitted.int64("tat_us"), now: try admitted.int64("now_us"), policy: policy, unitsPerSecond: 1_000_000)
            }
            let current = try await database.raw("""
                SELECT tat_us, \(unsafeRaw: Self.databaseNow) AS now_us FROM rate_limit_state WHERE key_id = \(bind: keyID)
                """).first()
            let now = try current?.int64("now_us") ?? 0
            return GCRA.refused(storedArrival: try current?.int64("tat_us") ?? now, now: now, policy: policy, unitsPerSecond: 1_000_000)
        }
    }

    public func resetAllowance(keyID: String) async throws {
        guard client.kind == .postgres else { return }
        try await client.withAutocommit { database in
            try await database.raw("DELETE FROM rate_limit_state WHERE key_id = \(bind: keyID)").run()
        }
    }

    public func pruneAllowances() async throws {
        guard client.kind == .postgres else { return }
        try await client.withAutocommit { database in
            try await database.raw("DELETE FROM rate_limit_state WHERE tat_us < \(unsafeRaw: Self.databaseNow)").run()
        }
    }
}
