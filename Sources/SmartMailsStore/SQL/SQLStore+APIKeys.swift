import SQLKit
import SmartMailsCore

extension SQLStore: APIKeyStore {
    public func insertKey(_ key: APIKey, secret: APIKeySecret, audit: AuditEvent) async throws {
        try await client.withTransaction { database in
            try await database.raw("""
                INSERT INTO api_keys (id, workspace_id, name, mode, display_prefix, last_four, scopes, allowed_ips,
                    rate_limit_requests, rate_limit_seconds, expires_at, created_at, created_by, updated_at, send_from_domains, daily_recipient_quota)
                VALUES (\(bind: key.id), \(bind: key.workspaceID), \(bind: key.name), \(bind: key.mode.rawValue),
                    \(bind: key.displayPrefix), \(bind: key.lastFour), \(bind: Self.encodeScopes(key.scopes)),
                    \(bind: Self.encodeAllowlist(key.allowedIPs)), \(bind: Int64(key.rateLimit.requests)),
                    \(bind: Int64(key.rateLimit.perSeconds)), \(bind: key.expiresAt?.millisecondsSinceEpoch),
                    \(bind: key.createdAt.millisecondsSinceEpoch), \(bind: key.createdBy), \(bind: key.updatedAt.millisecondsSinceEpoch),
                    \(bind: key.sendingLimits.fromDomains.joined(separator: ",")), \(bind: key.sendingLimits.dailyRecipients.map(Int64.init)))
                """).run()
            try await database.insertSecret(secret)
            try await database.insertAudit(audit)
        }
    }

    public func key(id: String, workspaceID: String) async throws -> APIKey? {
        try await client.withReader { database in
            try await database.raw(
                "SELECT * FROM api_keys WHERE id = \(bind: id) AND workspace_id = \(bind: workspaceID)"
            ).first().map(Self.apiKey(from:))
        }
    }

    public func keys(workspaceID: String, limit: Int, afterID: String?, includeRevoked: Bool) async throws -> [APIKey] {
        try await client.withReader { database in
            var query = SQLQueryString("SELECT * FROM api_keys WHERE workspace_id = \(bind: workspaceID)")
            if let afterID { query.appendInterpolation(unsafeRaw: " AND id < "); query.appendInterpolation(bind: afterID) }
            if !includeRevoked { query.appendInterpolation(unsafeRaw: " AND revoked_at IS NULL") }
            query.appendInterpolation(unsafeRaw: " ORDER BY id DESC LIMIT \(limit)")
            return try await database.raw(query).all().map(Self.apiKey(from:))
        }
    }

    public func updateKey(_ key: APIKey, audit: AuditEvent) async throws -> Bool {
        try await client.withTransaction { database in
            let updated = try await database.raw("""
                UPDATE api_keys SET name = \(bind: key.name), scopes = \(bind: Self.encodeScopes(key.scopes)),
                    allowed_ips = \(bind: Self.encodeAllowlist(key.allowedIPs)),
                    rate_limit_requests = \(bind: Int64(key.rateLimit.requests)),
                    rate_limit_seconds = \(bind: Int64(key.rateLimit.perSeconds)),
                    expires_at = \(bind: key.expiresAt?.millisecondsSinceEpoch), updated_at = \(bind: key.updatedAt.millisecondsSinceEpoch),
                    send_from_domains = \(bind: key.sendingLimits.fromDomains.joined(separator: ",")),
                    daily_recipient_quota = \(bind: key.sendingLimits.dailyRecipients.map(Int64.init))
                WHERE id = \(bind: key.id) AND workspace_id = \(bind: key.workspaceID) AND revoked_at IS NULL
                RETURNING id
                """).first()
            guard updated != nil else { return false }
            try await database.insertAudit(audit)
            try await self.announceKeyChange(key.id, in: database)
            return true
        }
    }

    public func rollKey(
        id: String, workspaceID: String, newSecret: APIKeySecret, displayPrefix: String, lastFour: String,
        previousSecretsExpireAt: Timestamp, audit: AuditEvent
    ) async throws -> Bool {
        try await client.withTransaction { database in
            let updated = try await database.raw("""
                UPDATE api_keys SET display_prefix = \(bind: displayPrefix), last_four = \(bind: lastFour),
                    updated_at = \(bind: newSecret.createdAt.millisecondsSinceEpoch)
                WHERE id = \(bind: id) AND workspace_id = \(bind: workspaceID) AND revoked_at IS NULL
                RETURNING id
                """).first()
            guard updated != nil else { return false }
            let cutoff = previousSecretsExpireAt.millisecondsSinceEpoch
            // A secret that already expires sooner keeps its earlier end: rolling never extends an old secret.
            try await database.raw("""
                UPDATE api_key_secrets SET expires_at = \(bind: cutoff)
                WHERE key_id = \(bind: id) AND (expires_at IS NULL OR expires_at > \(bind: cutoff))
                """).run()
            try await database.insertSecret(newSecret)
            try await database.insertAudit(audit)
            try await self.announceKeyChange(id, in: database)
            return true
        }
    }

    public func revokeKey(id: String, workspaceID: String, at instant: Timestamp, audit: AuditEvent) async throws -> Bool {
        try await client.withTransaction { database in
            let updated = try await database.raw("""
                UPDATE api_keys SET revoked_at = \(bind: instant.millisecondsSinceEpoch), updated_at = \(bind: instant.millisecondsSinceEpoch)
                WHERE id = \(bind: id) AND workspace_id = \(bind: workspaceID) AND revoked_at IS NULL
                RETURNING id
                """).first()
            guard updated != nil else { return false }
            try await database.insertAudit(audit)
            try await self.announceKeyChange(id, in: database)
            return true
        }
    }

    public func followKeyChanges(_ onChange: @escaping @Sendable (String) -> Void) async throws -> Bool {
        try await client.listen(channel: Self.keyChangeChannel, onNotification: onChange) != nil
    }

    static let keyChangeChannel = "smartmails_key_changes"

    /// PostgreSQL delivers the notification when the transaction commits, so other nodes never hear of a change
    /// that was rolled back, and hear of a committed one at once.
    func announceKeyChange(_ keyID: String, in database: any SQLDatabase) async throws {
        guard client.kind == .postgres else { return }
        try await database.raw("SELECT pg_notify(\(bind: Self.keyChangeChannel), \(bind: keyID))").run()
    }

    public func keyForSecret(hash: APIKeyHash) async throws -> (key: APIKey, secret: APIKeySecret)? {
        try await client.withReader { database in
            guard let row = try await database.raw("""
                SELECT k.*, s.hash AS secret_hash, s.created_at AS secret_created_at, s.expires_at AS secret_expires_at
                FROM api_key_secrets s JOIN api_keys k ON k.id = s.key_id
                WHERE s.hash = \(bind: hash.hex)
                """).first() else { return nil }
            let key = try Self.apiKey(from: row)
            let secret = APIKeySecret(
                hash: APIKeyHash(hex: try row.string("secret_hash")), keyID: key.id,
                createdAt: try row.timestamp("secret_created_at"), expiresAt: try row.optionalTimestamp("secret_expires_at")
            )
            return (key, secret)
        }
    }

    static func apiKey(from row: any SQLRow) throws -> APIKey {
        APIKey(
            id: try row.string("id"),
            workspaceID: try row.string("workspace_id"),
            name: try row.string("name"),
            mode: try row.decoded("mode", table: "api_keys", as: APIKeyMode.init(rawValue:)),
            displayPrefix: try row.string("display_prefix"),
            lastFour: try row.string("last_four"),
            scopes: try decodeScopes(try row.string("scopes")),
            allowedIPs: try decodeAllowlist(try row.string("allowed_ips")),
            rateLimit: RateLimitPolicy(
                requests: Int(try row.int64("rate_limit_requests")), perSeconds: Int(try row.int64("rate_limit_seconds"))
            ),
            expiresAt: try row.optionalTimestamp("expires_at"),
            createdAt: try row.timestamp("created_at"),
            createdBy: try row.optionalString("created_by"),
            updatedAt: try row.timestamp("updated_at"),
            lastUsedAt: try row.optionalTimestamp("last_used_at"),
            lastUsedIP: try row.optionalString("last_used_ip"),
            revokedAt: try row.optionalTimestamp("revoked_at"),
            sendingLimits: SendingLimits(
                validFromDomains: try row.string("send_from_domains").split(separator: ",").map(String.init),
                dailyRecipients: try row.optionalInt64("daily_recipient_quota").map(Int.init)
            )
        )
    }

    /// Every name must be a scope this build knows, and a key has at least one.
    static func decodeScopes(_ text: String) throws -> ScopeSet {
        let names = text.split(separator: " ")
        guard !names.isEmpty else { throw StoredValueError(table: "api_keys", column: "scopes", value: text) }
        return ScopeSet(try names.map { name in
            guard let scope = Scope(rawValue: String(name)) else { throw StoredValueError(table: "api_keys", column: "scopes", value: String(name)) }
            return scope
        })
    }

    /// An empty column is the one way to say "any address"; any entry that does not parse refuses the whole key.
    static func decodeAllowlist(_ text: String) throws -> IPAllowlist {
        guard !text.isEmpty else { return IPAllowlist() }
        return IPAllowlist(try text.split(separator: ",", omittingEmptySubsequences: false).map { entry in
            guard let block = CIDRBlock(entry) else { throw StoredValueError(table: "api_keys", column: "allowed_ips", value: String(entry)) }
            return block
        })
    }

    static func encodeScopes(_ scopes: ScopeSet) -> String {
        scopes.scopes.map(\.rawValue).joined(separator: " ")
    }

    static func encodeAllowlist(_ allowlist: IPAllowlist) -> String {
        allowlist.blocks.map(\.description).joined(separator: ",")
    }
}

extension SQLDatabase {
    func insertSecret(_ secret: APIKeySecret) async throws {
        try await raw("""
            INSERT INTO api_key_secrets (hash, key_id, created_at, expires_at)
            VALUES (\(bind: secret.hash.hex), \(bind: secret.keyID), \(bind: secret.createdAt.millisecondsSinceEpoch), \(bind: secret.expiresAt?.millisecondsSinceEpoch))
            """).run()
    }
}
