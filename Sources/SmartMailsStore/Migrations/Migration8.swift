/// Domain verification: when a domain's records were found published and what the last check saw (JSON, shown
/// record by record), and the workspace's choice to send only from verified domains (0 or 1: SQLite has no boolean).
enum Migration8 {
    static let domainVerification = Migration(version: 8) { _ in
        [
            "ALTER TABLE sending_domains ADD COLUMN verified_at BIGINT",
            "ALTER TABLE sending_domains ADD COLUMN verification TEXT",
            "ALTER TABLE workspaces ADD COLUMN require_verified_domains BIGINT NOT NULL DEFAULT 0",
        ]
    }
}
