/// Messages, their timelines, the delivery queue and the suppression list (addresses in the clear, unlike the
/// hashes `suppressions` keeps of erased contacts). The queue is its own small table (a row
/// per message still on its way, deleted once it is settled), so claiming due work reads one narrow index however
/// many messages have been sent.
enum Migration6 {
    static let messages = Migration(version: 6) { _ in
        [
            """
            CREATE TABLE messages (
                id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id), api_key_id TEXT, mode TEXT NOT NULL,
                status TEXT NOT NULL, from_address TEXT NOT NULL, recipient TEXT NOT NULL, subject TEXT NOT NULL,
                tags TEXT NOT NULL, metadata TEXT NOT NULL, content TEXT NOT NULL, send_at BIGINT NOT NULL,
                message_id_header TEXT NOT NULL, return_path TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX messages_by_recipient ON messages (workspace_id, recipient, id)",
            "CREATE INDEX messages_by_status ON messages (workspace_id, status, id)",
            "CREATE INDEX messages_by_workspace ON messages (workspace_id, id)",
            """
            CREATE TABLE message_events (
                message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE, position BIGINT NOT NULL, kind TEXT NOT NULL,
                at BIGINT NOT NULL, detail TEXT, next_attempt_at BIGINT, PRIMARY KEY (message_id, position))
            """,
            """
            CREATE TABLE delivery_queue (
                message_id TEXT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE, workspace_id TEXT NOT NULL,
                due_at BIGINT NOT NULL, lease_owner TEXT, lease_until BIGINT NOT NULL DEFAULT 0,
                attempts BIGINT NOT NULL DEFAULT 0, first_attempt_at BIGINT)
            """,
            "CREATE INDEX delivery_queue_by_due ON delivery_queue (due_at)",
            """
            CREATE TABLE suppression_list (
                workspace_id TEXT NOT NULL REFERENCES workspaces(id), address TEXT NOT NULL, reason TEXT NOT NULL, source TEXT,
                expires_at BIGINT, created_at BIGINT NOT NULL, PRIMARY KEY (workspace_id, address))
            """,
        ]
    }
}
