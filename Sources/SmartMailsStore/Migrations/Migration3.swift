/// Accounts that sign in to the dashboard, across workspaces: `users` (one row per workspace and e-mail) becomes
/// `accounts` (one per e-mail) and `memberships` (a role per workspace); the old `member` role reads as `viewer`.
/// Two-factor secrets and recovery codes, sessions, the second step of a sign-in, one-time password links, invitations (a membership is `invited` until its link is accepted) and failed
/// sign-ins, for the dashboard.
enum Migration3 {
    static let accounts = Migration(version: 3) { _ in [
        """
        CREATE TABLE accounts (
            id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, password_hash TEXT,
            password_set_at BIGINT, totp_secret TEXT, totp_enabled_at BIGINT, totp_last_step BIGINT, created_at BIGINT NOT NULL)
        """,
        """
        INSERT INTO accounts (id, email, name, created_at)
        SELECT MIN(id), LOWER(email), '', MIN(created_at) FROM users GROUP BY LOWER(email)
        """,
        """
        CREATE TABLE memberships (
            workspace_id TEXT NOT NULL REFERENCES workspaces(id), account_id TEXT NOT NULL REFERENCES accounts(id),
            role TEXT NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (workspace_id, account_id))
        """,
        "CREATE INDEX memberships_by_account ON memberships (account_id)",
        """
        INSERT INTO memberships (workspace_id, account_id, role, status, created_at)
        SELECT users.workspace_id, accounts.id, CASE users.role WHEN 'member' THEN 'viewer' ELSE users.role END, 'active', users.created_at
        FROM users JOIN accounts ON accounts.email = LOWER(users.email)
        """,
        "DROP TABLE users",
        """
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id),
            workspace_id TEXT NOT NULL REFERENCES workspaces(id), csrf_token TEXT NOT NULL, created_at BIGINT NOT NULL,
            last_seen_at BIGINT NOT NULL, ip TEXT)
        """,
        "CREATE INDEX sessions_by_account ON sessions (account_id)",
        """
        CREATE TABLE password_links (
            token_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id),
            workspace_id TEXT NOT NULL REFERENCES workspaces(id), created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL, used_at BIGINT)
        """,
        """
        CREATE TABLE invitations (
            token_hash TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id),
            account_id TEXT NOT NULL REFERENCES accounts(id), invited_by TEXT NOT NULL, created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL, accepted_at BIGINT)
        """,
        "CREATE INDEX invitations_by_member ON invitations (workspace_id, account_id)",
        """
        CREATE TABLE recovery_codes (
            account_id TEXT NOT NULL REFERENCES accounts(id), code_hash TEXT NOT NULL, used_at BIGINT,
            PRIMARY KEY (account_id, code_hash))
        """,
        """
        CREATE TABLE login_challenges (
            token_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id),
            workspace_id TEXT NOT NULL REFERENCES workspaces(id), created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
            used_at BIGINT)
        """,
        "CREATE TABLE login_failures (subject TEXT NOT NULL, failed_at BIGINT NOT NULL)",
        "CREATE INDEX login_failures_by_subject ON login_failures (subject, failed_at)",
    ] }
}
