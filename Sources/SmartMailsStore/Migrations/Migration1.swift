/// Workspaces, their users, API keys with their secrets and usage, the audit log and idempotency keys.
enum Migration1 {
    static let initial = Migration(version: 1) { _ in [
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
    ] }
}
