import SQLKit
import SmartMailsCore

extension SQLStore: MemberStore {
    /// A member's account and membership, with when a pending invitation's link expires.
    private static let memberColumns = """
        SELECT accounts.*, memberships.workspace_id, memberships.account_id, memberships.role, memberships.status,
            memberships.created_at AS joined_at,
            (SELECT MAX(expires_at) FROM invitations WHERE invitations.workspace_id = memberships.workspace_id
                AND invitations.account_id = memberships.account_id AND invitations.accepted_at IS NULL) AS invitation_expires_at
        FROM memberships JOIN accounts ON accounts.id = memberships.account_id
        """

    public func members(workspaceID: String, limit: Int, afterAccountID: String?, status: Membership.Status?) async throws -> [Member] {
        try await client.withReader { database in
            var query = SQLQueryString(Self.memberColumns)
            query.appendInterpolation(unsafeRaw: " WHERE memberships.workspace_id = ")
            query.appendInterpolation(bind: workspaceID)
            if let afterAccountID { query.appendInterpolation(unsafeRaw: " AND memberships.account_id > "); query.appendInterpolation(bind: afterAccountID) }
            if let status { query.appendInterpolation(unsafeRaw: " AND memberships.status = "); query.appendInterpolation(bind: status.rawValue) }
            query.appendInterpolation(unsafeRaw: " ORDER BY memberships.account_id LIMIT \(limit)")
            return try await database.raw(query).all().map(Self.member(from:))
        }
    }

    public func member(workspaceID: String, accountID: String) async throws -> Member? {
        try await client.withReader { database in
            var query = SQLQueryString(Self.memberColumns)
            query.appendInterpolation(unsafeRaw: " WHERE memberships.workspace_id = ")
            query.appendInterpolation(bind: workspaceID)
            query.appendInterpolation(unsafeRaw: " AND memberships.account_id = ")
            query.appendInterpolation(bind: accountID)
            return try await database.raw(query).first().map(Self.member(from:))
        }
    }

    public func invite(_ account: Account, role: Role, invitation: Invitation, audit: AuditEvent) async throws -> Member {
        try await client.withTransaction { database in
            let stored = try await database.insertAccountUnlessKnown(account)
            let added = try await database.raw("""
                INSERT INTO memberships (workspace_id, account_id, role, status, created_at)
                VALUES (\(bind: invitation.workspaceID), \(bind: stored.id), \(bind: role.rawValue), 'invited',
                    \(bind: invitation.createdAt.millisecondsSinceEpoch))
                ON CONFLICT (workspace_id, account_id) DO NOTHING RETURNING account_id
                """).first()
            guard added != nil else { throw AccountStoreError.alreadyMember }
            try await database.raw("""
                INSERT INTO invitations (token_hash, workspace_id, account_id, invited_by, created_at, expires_at)
                VALUES (\(bind: invitation.tokenHash), \(bind: invitation.workspaceID), \(bind: stored.id), \(bind: invitation.invitedBy),
                    \(bind: invitation.createdAt.millisecondsSinceEpoch), \(bind: invitation.expiresAt.millisecondsSinceEpoch))
                """).run()
            var audit = audit
            audit.targetID = stored.id
            try await database.insertAudit(audit)
            let membership = Membership(workspaceID: invitation.workspaceID, accountID: stored.id, role: role, status: .invited, createdAt: invitation.createdAt)
            return Member(account: stored, membership: membership, invitationExpiresAt: invitation.expiresAt)
        }
    }

    public func invitation(tokenHash: String, at now: Timestamp) async throws -> Invitation? {
        try await client.withReader { database in
            try await database.raw("""
                SELECT invitations.* FROM invitations JOIN memberships ON memberships.workspace_id = invitations.workspace_id
                    AND memberships.account_id = invitations.account_id AND memberships.status = 'invited'
                WHERE invitations.token_hash = \(bind: tokenHash) AND invitations.accepted_at IS NULL
                    AND invitations.expires_at > \(bind: now.millisecondsSinceEpoch)
                """).first().map(Self.invitation(from:))
        }
    }

    public func acceptInvitation(_ invitation: Invitation, passwordHash: String?, at now: Timestamp, audit: AuditEvent) async throws -> Bool {
        try await client.withTransaction { database in
            let accepted = try await database.raw("""
                UPDATE invitations SET accepted_at = \(bind: now.millisecondsSinceEpoch)
                WHERE token_hash = \(bind: invitation.tokenHash) AND accepted_at IS NULL AND expires_at > \(bind: now.millisecondsSinceEpoch)
                RETURNING token_hash
                """).first()
            guard accepted != nil else { return false }
            let joined = try await database.raw("""
                UPDATE memberships SET status = 'active'
                WHERE workspace_id = \(bind: invitation.workspaceID) AND account_id = \(bind: invitation.accountID) AND status = 'invited'
                RETURNING account_id
                """).first()
            guard joined != nil else { throw InvitationRaceError() }
            if let passwordHash { try await database.updatePassword(accountID: invitation.accountID, hash: passwordHash, at: now) }
            try await database.insertAudit(audit)
            return true
        }
    }

    public func changeRole(workspaceID: String, accountID: String, to role: Role, audit: AuditEvent) async throws -> Bool {
        try await client.withTransaction { database in
            let changed = try await database.raw("""
                UPDATE memberships SET role = \(bind: role.rawValue)
                WHERE workspace_id = \(bind: workspaceID) AND account_id = \(bind: accountID) RETURNING account_id
                """).first()
            guard changed != nil else { return false }
            try await database.insertAudit(audit)
            return true
        }
    }

    public func removeMember(workspaceID: String, accountID: String, revokeKeys: Bool, at now: Timestamp, audit: AuditEvent) async throws -> [String]? {
        try await client.withTransaction { database in
            let removed = try await database.raw("""
                DELETE FROM memberships WHERE workspace_id = \(bind: workspaceID) AND account_id = \(bind: accountID) RETURNING account_id
                """).first()
            guard removed != nil else { return nil }
            try await database.raw("DELETE FROM sessions WHERE workspace_id = \(bind: workspaceID) AND account_id = \(bind: accountID)").run()
            try await database.raw("DELETE FROM invitations WHERE workspace_id = \(bind: workspaceID) AND account_id = \(bind: accountID)").run()
            var revoked: [String] = []
            if revokeKeys {
                revoked = try await database.raw("""
                    UPDATE api_keys SET revoked_at = \(bind: now.millisecondsSinceEpoch), updated_at = \(bind: now.millisecondsSinceEpoch)
                    WHERE workspace_id = \(bind: workspaceID) AND created_by = \(bind: accountID) AND revoked_at IS NULL
                    RETURNING id
                    """).all().map { try $0.string("id") }
                for id in revoked { try await self.announceKeyChange(id, in: database) }
            }
            var audit = audit
            audit.changes["revoked_keys"] = revoked.joined(separator: " ")
            try await database.insertAudit(audit)
            return revoked
        }
    }

    public func ownerCount(workspaceID: String) async throws -> Int {
        try await client.withReader { database in
            let row = try await database.raw("""
                SELECT COUNT(*) AS total FROM memberships WHERE workspace_id = \(bind: workspaceID) AND role = 'owner' AND status = 'active'
                """).first()
            return Int(try row?.int64("total") ?? 0)
        }
    }

    static func member(from row: any SQLRow) throws -> Member {
        let membership = try Self.membership(from: row, createdAtColumn: "joined_at")
        return Member(account: try Self.account(from: row), membership: membership, invitationExpiresAt: try row.optionalTimestamp("invitation_expires_at"))
    }

    static func invitation(from row: any SQLRow) throws -> Invitation {
        Invitation(
            tokenHash: try row.string("token_hash"), workspaceID: try row.string("workspace_id"), accountID: try row.string("account_id"),
            invitedBy: try row.string("invited_by"), createdAt: try row.timestamp("created_at"), expiresAt: try row.timestamp("expires_at")
        )
    }
}

/// The membership an invitation was for went away while it was being accepted: the transaction is rolled back.
struct InvitationRaceError: Error {}
