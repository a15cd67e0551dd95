import SQLKit
import SmartMailsCore

extension SQLStore: UsageStore {
    public func recordUsage(_ samples: [UsageSample], lastUses: [KeyLastUse]) async throws {
        guard !samples.isEmpty || !lastUses.isEmpty else { return }
        try await client.withTransaction { database in
            for sample in samples {
                try await database.raw("""
                    INSERT INTO api_key_usage (key_id, workspace_id, minute, status_class, request_count)
                    VALUES (\(bind: sample.keyID), \(bind: sample.workspaceID), \(bind: sample.minute.millisecondsSinceEpoch),
                            \(bind: Int64(sample.statusClass)), \(bind: Int64(sample.count)))
                    ON CONFLICT (key_id, minute, status_class)
                    DO UPDATE SET request_count = api_key_usage.request_count + excluded.request_count
                    """).run()
            }
            for use in lastUses {
                try await database.raw("""
                    UPDATE api_keys SET last_used_at = \(bind: use.at.millisecondsSinceEpoch), last_used_ip = \(bind: use.ip)
                    WHERE id = \(bind: use.keyID) AND (last_used_at IS NULL OR last_used_at < \(bind: use.at.millisecondsSinceEpoch))
                    """).run()
            }
        }
    }

    public func usage(keyID: String, workspaceID: String, since: Timestamp) async throws -> [UsageSample] {
        try await client.withReader { database in
            try await database.raw("""
                SELECT * FROM api_key_usage
                WHERE key_id = \(bind: keyID) AND workspace_id = \(bind: workspaceID) AND minute >= \(bind: since.millisecondsSinceEpoch)
                ORDER BY minute, status_class
                """).all().map { row in
                UsageSample(
                    keyID: try row.string("key_id"), workspaceID: try row.string("workspace_id"),
                    minute: try row.timestamp("minute"), statusClass: Int(try row.int64("status_class")),
                    count: Int(try row.int64("request_count"))
                )
            }
        }
    }
}
