/// What a workspace and a key may send. Domain verification: when a domain's records were found published and what
/// the last check saw (JSON, shown record by record), and the workspace's choice to send only from verified domains
/// (0 or 1: SQLite has no boolean). A key's sending limits (its `from` domains, comma-separated, empty for any; its
/// daily recipient quota) and the recipients counted against the quota per UTC day.
enum Migration8 {
    static let sendingControls = Migration(version: 8) { _ in
        [
            "ALTER TABLE sending_domains ADD COLUMN verified_at BIGINT",
            "ALTER TABLE sending_domains ADD COLUMN verification TEXT",
            "ALTER TABLE workspaces ADD COLUMN require_verified_domains BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE api_keys ADD COLUMN send_from_domains TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE api_keys ADD COLUMN daily_recipient_quota BIGINT",
            """
            CREATE TABLE key_daily_recipients (
                key_id TEXT NOT NULL REFERENCES api_keys(id), day TEXT NOT NULL, recipients BIGINT NOT NULL, PRIMARY KEY (key_id, day))
            """,
        ]
    }
}
