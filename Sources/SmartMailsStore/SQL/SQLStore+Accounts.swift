import SQLKit
import SmartMailsCore

extension SQLStore: AccountStore {
    public func account(email: String) async throws -> Account? {
        try await client.withReader { database in
            try await database.raw("SELECT * FROM accounts WHERE email = \(bind: email)").first().map(Self.account(from:))
        }
    }

    public func account(id: String) async throws -> Account? {
        try await client.withReader { database in
            try await database.raw("SELECT * FROM accounts WHERE id = \(bind: id)").first().map(Self.account(from:))
        }
    }

    public func passwordHash(accountID: String) async throws -> String? {
        try await client.withReader { database in
            try await database.raw("SELECT password_hash FROM accounts WHERE id = \(bind: accountID)").first()?.optionalString("password_hash")
        }
    }

    public func addMember(_ account: Account, workspaceID: String, role: Role, at now: Timestamp, audit: AuditEvent) async throws -> Account {
        try await client.withTransaction { database in
            let stored = try await database.insertAccountUnlessKnown(account)
            let added = try await database.raw("""
                INSERT INTO memberships (workspace_id, account_id, role, status, created_at)
                VALUES (\(bind: workspaceID), \(bind: stored.id), \(bind: role.rawValue), 'active', \(bind: now.millisecondsSinceEpoch))
                ON CONFLICT (workspace_id, account_id) DO NOTHING RETURNING account_id
                """).first()
            guard added != nil else { throw AccountStoreError.alreadyMember }
            var audit = audit
            audit.targetID = stored.id
            try await database.insertAudit(audit)
            return stored
        }
    }

    public func memberships(accountID: String) async throws -> [Membership] {
        try await client.withReader { database in
            try await database.raw("SELECT * FROM memberships WHERE account_id = \(bind: accountID) ORDER BY created_at, workspace_id")
                .all().map(Self.membership(from:))
        }
    }

    public func membership(workspaceID: String, accountID: String) async throws -> Membership? {
        try await client.withReader { database in
            try await database.raw(
                "SELECT * FROM memberships WHERE workspace_id = \(bind: workspaceID) AND account_id = \(bind: accountID)"
            ).first().map(Self.membership(from:))
        }
    }

    public func setPassword(accountID: String, hash: String, at now: Timestamp, audit: AuditEvent) async throws {
        try await client.withTransaction { database in
            try await database.updatePassword(accountID: accountID, hash: hash, at: now)
            try await database.insertAudit(audit)
        }
    }

    public func createPasswordLink(_ link: PasswordLink) async throws {
        try await client.withTransaction { database in
            try await database.raw("""
                INSERT INTO password_links (token_hash, account_id, workspace_id, created_at, expires_at)
                VALUES (\(bind: link.tokenHash), \(bind: link.accountID), \(bind: link.workspaceID),
                    \(bind: link.createdAt.millisecondsSinceEpoch), \(bind: link.expiresAt.millisecondsSinceEpoch))
                """).run()
        }
    }

    public func passwordLink(tokenHash: String, at now: Timestamp) async throws -> PasswordLink? {
        try await client.withReader { database in
            try await database.raw("""
                SELECT * FROM password_links WHERE token_hash = \(bind: tokenHash) AND used_at IS NULL
                    AND expires_at > \(bind: now.millisecondsSinceEpoch)
                """).first().map(Self.passwordLink(from:))
        }
    }

    public func setPassword(with link: PasswordLink, hash: String, at now: Timestamp, audit: AuditEvent) async throws -> Bool {
        try await client.withTransaction { database in
            let used = try await database.raw("""
                UPDATE password_links SET used_at = \(bind: now.millisecondsSinceEpoch)
                WHERE token_hash = \(bind: link.tokenHash) AND used_at IS NULL AND expires_at > \(bind: now.millisecondsSinceEpoch)
                RETURNING token_hash
                """).first()
            guard used != nil else { return false }
            try await database.updatePassword(accountID: link.accountID, hash: hash, at: now)
            try await database.insertAudit(audit)
            return true
        }
    }

    public func twoFactor(accountID: String) async throws -> (secret: String, lastStep: Int64?)? {
        try await client.withReader { database in
            guard let row = try await database.raw("SELECT totp_secret, totp_last_step FROM accounts WHERE id = \(bind: accountID)").first(),
                  let secret = try row.optionalString("totp_secret")
            else { return nil }
            return (secret, try row.optionalInt64("totp_last_step"))
        }
    }

    public func setPendingTwoFactor(accountID: String, secret: String) async throws {
        try await client.withTransaction { database in
            try await database.raw("""
                UPDATE accounts SET totp_secret = \(bind: secret), totp_enabled_at = NULL, totp_last_step = NULL WHERE id = \(bind: accountID)
                """).run()
        }
    }

    public func enableTwoFactor(accountID: String, at now: Timestamp, recoveryCodeHashes: [String], audit: AuditEvent) async throws {
        try await client.withTransaction { database in
            try await database.raw("UPDATE accounts SET totp_enabled_at = \(bind: now.millisecondsSinceEpoch) WHERE id = \(bind: accountID)").run()
            try await database.raw("DELETE FROM recovery_codes WHERE account_id = \(bind: accountID)").run()
            for hash in recoveryCodeHashes {
                try await database.raw("INSERT INTO recovery_codes (account_id, code_hash) VALUES (\(bind: accountID), \(bind: hash))").run()
            }
            try await database.insertAudit(audit)
        }
    }

    public func disableTwoFactor(accountID: String, audit: AuditEvent) async throws {
        try await client.withTransaction { database in
            try await database.raw("""
                UPDATE accounts SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = \(bind: accountID)
                """).run()
            try await database.raw("DELETE FROM recovery_codes WHERE account_id = \(bind: accountID)").run()
            try await database.insertAudit(audit)
        }
    }

    public func useTwoFactorStep(accountID: String, step: Int64) async throws -> Bool {
        try await client.withTransaction { database in
            try await database.raw("""
                UPDATE accounts SET totp_last_step = \(bind: step)
                WHERE id = \(bind: accountID) AND (totp_last_step IS NULL OR totp_last_step < \(bind: step)) RETURNING id
                """).first() != nil
        }
    }

    public func useRecoveryCode(accountID: String, codeHash: String, at now: Timestamp) async throws -> Bool {
        try await client.withTransaction { database in
            try await database.raw("""
                UPDATE recovery_codes SET used_at = \(bind: now.millisecondsSinceEpoch)
                WHERE account_id = \(bind: accountID) AND code_hash = \(bind: codeHash) AND used_at IS NULL RETURNING code_hash
                """).first() != nil
        }
    }

    public func unusedRecoveryCodeCount(accountID: String) async throws -> Int {
        try await client.withReader { database in
            let row = try await database.raw(
                "SELECT COUNT(*) AS total FROM recovery_codes WHERE account_id = \(bind: accountID) AND used_at IS NULL"
            ).first()
            return Int(try row?.int64("total") ?? 0)
        }
    }

    public func createLoginChallenge(tokenHash: String, accountID: String, workspaceID: String, at now: Timestamp, expiresAt: Timestamp) async throws {
        try await client.withTransaction { database in
            try await database.raw("""
                INSERT INTO login_challenges (token_hash, account_id, workspace_id, created_at, expires_at)
                VALUES (\(bind: tokenHash), \(bind: accountID), \(bind: workspaceID), \(bind: now.millisecondsSinceEpoch), \(bind: expiresAt.millisecondsSinceEpoch))
                """).run()
        }
    }

    public func loginChallenge(tokenHash: String, at now: Timestamp) async throws -> (accountID: String, workspaceID: String)? {
        try await client.withReader { database in
            guard let row = try await database.raw("""
                SELECT account_id, workspace_id FROM login_challenges
                WHERE token_hash = \(bind: tokenHash) AND used_at IS NULL AND expires_at > \(bind: now.millisecondsSinceEpoch)
                """).first() else { return nil }
            return (try row.string("account_id"), try row.string("workspace_id"))
        }
    }

    public func useLoginChallenge(tokenHash: String, at now: Timestamp) async throws -> Bool {
        try await client.withTransaction { database in
            try await database.raw("""
                UPDATE login_challenges SET used_at = \(bind: now.millisecondsSinceEpoch)
                WHERE token_hash = \(bind: tokenHash) AND used_at IS NULL AND expires_at > \(bind: now.millisecondsSinceEpoch) RETURNING token_hash
                """).first() != nil
        }
    }

    public func createSession(_ session: Session, audit: AuditEvent) async throws {
        try await client.withTransaction { database in
            try await database.raw("""
                INSERT INTO sessions (token_hash, account_id, workspace_id, csrf_token, created_at, last_seen_at, ip)
                VALUES (\(bind: session.tokenHash), \(bind: session.accountID), \(bind: session.workspaceID),
                    \(bind: session.csrfToken), \(bind: session.createdAt.millisecondsSinceEpoch),
                    \(bind: session.lastSeenAt.millisecondsSinceEpoch), \(bind: session.ip))
                """).run()
            try await database.insertAudit(audit)
        }
    }

    public func session(tokenHash: String) async throws -> Session? {
        try await client.withReader { database in
            try await database.raw("SELECT * FROM sessions WHERE token_hash = \(bind: tokenHash)").first().map(Self.session(from:))
        }
    }

    public func touchSession(tokenHash: String, at now: Timestamp) async throws {
        try await client.withTransaction { database in
            try await database.raw(
                "UPDATE sessions SET last_seen_at = \(bind: now.millisecondsSinceEpoch) WHERE token_hash = \(bind: tokenHash)"
            ).run()
        }
    }

    public func sessions(accountID: String) async throws -> [Session] {
        try await client.withReader { database in
            try await database.raw("SELECT * FROM sessions WHERE account_id = \(bind: accountID) ORDER BY last_seen_at DESC")
                .all().map(Self.session(from:))
        }
    }

    public func switchSession(tokenHash: String, toWorkspaceID workspaceID: String) async throws {
        try await client.withTransaction { database in
            try await database.raw(
                "UPDATE sessions SET workspace_id = \(bind: workspaceID) WHERE token_hash = \(bind: tokenHash)"
            ).run()
        }
    }

    public func deleteSession(tokenHash: String, audit: AuditEvent?) async throws {
        try await client.withTransaction { database in
            try await database.raw("DELETE FROM sessions WHERE token_hash = \(bind: tokenHash)").run()
            if let audit { try await database.insertAudit(audit) }
        }
    }

    public func deleteSessions(accountID: String) async throws {
        try await client.withTransaction { database in
            try await database.raw("DELETE FROM sessions WHERE account_id = \(bind: accountID)").run()
        }
    }

    public func recordLoginFailure(subjects: [String], at now: Timestamp, since: Timestamp, audit: AuditEvent?) async throws -> [String: [Timestamp]] {
        try await client.withTransaction { database in
            var failures: [String: [Timestamp]] = [:]
            for subject in subjects {
                try await database.raw("""
                    DELETE FROM login_failures WHERE subject = \(bind: subject) AND failed_at <= \(bind: since.millisecondsSinceEpoch)
                    """).run()
                try await database.raw("""
                    INSERT INTO login_failures (subject, failed_at) VALUES (\(bind: subject), \(bind: now.millisecondsSinceEpoch))
                    """).run()
                failures[subject] = try await database.loginFailures(subject: subject, since: since)
            }
            if let audit { try await database.insertAudit(audit) }
            return failures
        }
    }

    public func loginFailures(subject: String, since: Timestamp) async throws -> [Timestamp] {
        try await client.withReader { database in
            try await database.loginFailures(subject: subject, since: since)
        }
    }

    public func clearLoginFailures(subject: String) async throws {
        try await client.withTransaction { database in
            try await database.raw("DELETE FROM login_failures WHERE subject = \(bind: subject)").run()
        }
    }

    public func purgeEnded(at now: Timestamp, failuresBefore: Timestamp) async throws {
        let idle = now.adding(seconds: -Session.idleSeconds).millisecondsSinceEpoch
        let oldest = now.adding(seconds: -Session.maximumSeconds).millisecondsSinceEpoch
        try await client.withTransaction { database in
            try await database.raw("DELETE FROM sessions WHERE last_seen_at < \(bind: idle) OR created_at < \(bind: oldest)").run()
            try await database.raw("DELETE FROM login_challenges WHERE expires_at < \(bind: now.millisecondsSinceEpoch)").run()
            try await database.raw("DELETE FROM password_links WHERE expires_at < \(bind: now.millisecondsSinceEpoch)").run()
            try await database.raw("DELETE FROM login_failures WHERE failed_at < \(bind: failuresBefore.millisecondsSinceEpoch)").run()
        }
    }

    static func account(from row: any SQLRow) throws -> Account {
        Account(
            id: try row.string("id"), email: try row.string("email"), name: try row.string("name"),
            createdAt: try row.timestamp("created_at"), passwordSetAt: try row.optionalTimestamp("password_set_at"),
            twoFactorEnabledAt: try row.optionalTimestamp("totp_enabled_at")
        )
    }

    static func membership(from row: any SQLRow) throws -> Membership {
        try membership(from: row, createdAtColumn: "created_at")
    }

    static func membership(from row: any SQLRow, createdAtColumn: String) throws -> Membership {
        let text = try row.string("role")
        guard let role = Role(rawValue: text) else { throw StoredValueError(table: "memberships", column: "role", value: text) }
        let statusText = try row.string("status")
        guard let status = Membership.Status(rawValue: statusText) else { throw StoredValueError(table: "memberships", column: "status", value: statusText) }
        return Membership(
            workspaceID: try row.string("workspace_id"), accountID: try row.string("account_id"), role: role, status: status,
            createdAt: try row.timestamp(createdAtColumn)
        )
    }

    static func passwordLink(from row: any SQLRow) throws -> PasswordLink {
        PasswordLink(
            tokenHash: try row.string("token_hash"), accountID: try row.string("account_id"),
            workspaceID: try row.string("workspace_id"), createdAt: try row.timestamp("created_at"),
            expiresAt: try row.timestamp("expires_at")
        )
    }

    static func session(from row: any SQLRow) throws -> Session {
        Session(
            tokenHash: try row.string("token_hash"), accountID: try row.string("account_id"),
            workspaceID: try row.string("workspace_id"), csrfToken: try row.string("csrf_token"),
            createdAt: try row.timestamp("created_at"), lastSeenAt: try row.timestamp("last_seen_at"), ip: try row.optionalString("ip")
        )
    }
}

extension SQLDatabase {
    /// Inserts the account unless one has its e-mail, and returns the stored one.
    func insertAccountUnlessKnown(_ account: Account) async throws -> Account {
        try await raw("""
            INSERT INTO accounts (id, email, name, created_at) VALUES (\(bind: account.id), \(bind: account.email),
                \(bind: account.name), \(bind: account.createdAt.millisecondsSinceEpoch))
            ON CONFLICT (email) DO NOTHING
            """).run()
        guard let row = try await raw("SELECT * FROM accounts WHERE email = \(bind: account.email)").first() else {
            throw StoredValueError(table: "accounts", column: "email", value: account.email)
        }
        return try SQLStore.account(from: row)
    }

    /// A new password ends every session of the account: whoever knew the old one is signed out.
    func updatePassword(accountID: String, hash: String, at now: Timestamp) async throws {
        try await raw("""
            UPDATE accounts SET password_hash = \(bind: hash), password_set_at = \(bind: now.millisecondsSinceEpoch)
            WHERE id = \(bind: accountID)
            """).run()
        try await raw("DELETE FROM sessions WHERE account_id = \(bind: accountID)").run()
    }

    func loginFailures(subject: String, since: Timestamp) async throws -> [Timestamp] {
        try await raw("""
            SELECT failed_at FROM login_failures WHERE subject = \(bind: subject) AND failed_at > \(bind: since.millisecondsSinceEpoch)
            ORDER BY failed_at
            """).all().map { try $0.timestamp("failed_at") }
    }
}
