import SQLKit
import SmartMailsCore

extension SQLStore: IdempotencyStore {
    public func claimIdempotencyKey(workspaceID: String, key: String, fingerprint: String, now: Timestamp) async throws -> IdempotencyClaim {
        try await client.withTransaction { database in
            let inserted = try await database.raw("""
                INSERT INTO idempotency_keys (workspace_id, idempotency_key, request_fingerprint, created_at)
                VALUES (\(bind: workspaceID), \(bind: key), \(bind: fingerprint), \(bind: now.millisecondsSinceEpoch))
                ON CONFLICT (workspace_id, idempotency_key) DO NOTHING
                RETURNING idempotency_key
                """).first()
            if inserted != nil { return .claimed }
            guard let row = try await database.raw("""
                SELECT request_fingerprint, status, response_body FROM idempotency_keys
                WHERE workspace_id = \(bind: workspaceID) AND idempotency_key = \(bind: key)
                """).first() else { return .inProgress }
            guard try row.string("request_fingerprint") == fingerprint else { return .mismatch }
            guard let status = try row.optionalInt64("status"), let body = try row.optionalString("response_body") else {
                return .inProgress
            }
            return .completed(status: Int(status), body: body)
        }
    }

    public func completeIdempotencyKey(workspaceID: String, key: String, status: Int, body: String) async throws {
        try await client.withAutocommit { database in
            try await database.raw("""
                UPDATE idempotency_keys SET status = \(bind: Int64(status)), response_body = \(bind: body)
                WHERE workspace_id = \(bind: workspaceID) AND idempotency_key = \(bind: key)
                """).run()
        }
    }

    public func releaseIdempotencyKey(workspaceID: String, key: String) async throws {
        try await client.withAutocommit { database in
            try await database.raw(
                "DELETE FROM idempotency_keys WHERE workspace_id = \(bind: workspaceID) AND idempotency_key = \(bind: key)"
            ).run()
        }
    }

    public func purgeIdempotencyKeys(olderThan cutoff: Timestamp) async throws {
        try await client.withAutocommit { database in
            try await database.raw("DELETE FROM idempotency_keys WHERE created_at < \(bind: cutoff.millisecondsSinceEpoch)").run()
        }
    }
}
