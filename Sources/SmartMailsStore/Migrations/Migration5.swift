/// Sending domains and their DKIM keys (one per algorithm; a separate table so keys can be rolled later). Private
/// keys are stored sealed with the server's secret key, never in the clear; `server_settings` keeps that key's
/// fingerprint, so a node started with another key is refused instead of failing to open them.
enum Migration5 {
    static let domains = Migration(version: 5) { _ in
        [
            """
            CREATE TABLE sending_domains (
                id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE UNIQUE INDEX sending_domains_by_name ON sending_domains (workspace_id, name)",
            """
            CREATE TABLE dkim_keys (
                domain_id TEXT NOT NULL REFERENCES sending_domains(id) ON DELETE CASCADE, algorithm TEXT NOT NULL,
                selector TEXT NOT NULL, public_record TEXT NOT NULL, sealed_private_key TEXT NOT NULL,
                created_at BIGINT NOT NULL, PRIMARY KEY (domain_id, algorithm))
            """,
            "CREATE TABLE server_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at BIGINT NOT NULL)",
        ]
    }
}
