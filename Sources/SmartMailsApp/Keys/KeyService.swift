import SmartMailsCore
import SmartMailsStore

/// Creates, changes, rolls and revokes keys for the API and the CLI alike: applies the domain rules, writes the
/// change with its audit entry, and invalidates the verifier cache so the change holds from the next request.
public struct KeyService: Sendable {
    let store: any APIKeyStore
    let verifier: KeyVerifier?
    let rateLimiter: (any RateLimiting)?

    /// What creating or rolling returns: the only moment the secret exists outside the caller's hands.
    public struct IssuedKey: Sendable {
        public let key: APIKey
        public let token: APIKeyToken
    }

    /// Fields of a key to change; nil leaves a field as it is.
    public struct Changes: Sendable {
        public var name: String?
        public var scopes: ScopeSet?
        public var allowedIPs: IPAllowlist?
        public var rateLimit: RateLimitPolicy?
        public var expiresAt: Timestamp?
        public var removeExpiry = false
        /// Replaces the key's sending limits whole (`.none` lifts them).
        public var sendingLimits: SendingLimits?

        public init() {}
    }

    /// The CLI passes no verifier: on PostgreSQL running servers hear of its changes at once (see
    /// `KeyChangeListener`); on SQLite their caches catch up within the key cache time.
    public init(store: any APIKeyStore, verifier: KeyVerifier? = nil, rateLimiter: (any RateLimiting)? = nil) {
        self.store = store
        self.verifier = verifier
        self.rateLimiter = rateLimiter
    }

    /// A page of the workspace's keys, newest first.
    public func list(workspaceID: String, page: PageRequest, includeRevoked: Bool) async throws -> Page<APIKey> {
        let rows = try await store.keys(workspaceID: workspaceID, limit: page.limit + 1, afterID: page.afterID, includeRevoked: includeRevoked)
        return Page(rows: rows, limit: page.limit, id: \.id)
    }

    /// The key with this id in the workspace, revoked or not.
    public func key(id: String, workspaceID: String) async throws -> APIKey {
        guard ResourceID.isWellFormed(id, prefix: APIKey.idPrefix), let key = try await store.key(id: id, workspaceID: workspaceID) else {
            throw KeyServiceError.notFound(id)
        }
        return key
    }

    public func create(
        workspaceID: String, name: String, scopes: ScopeSet, mode: APIKeyMode?, allowedIPs: IPAllowlist = IPAllowlist(),
        rateLimit: RateLimitPolicy = .default, expiresAt: Timestamp? = nil, sendingLimits: SendingLimits = .none, by actor: KeyActor,
        now: Timestamp = .now
    ) async throws -> IssuedKey {
        let name = try APIKeyRules.validateName(name)
        let mode = mode ?? actor.mode ?? .live
        try APIKeyRules.checkGrant(requested: scopes, mode: mode, creatorScopes: actor.scopes, creatorMode: actor.mode)
        try APIKeyRules.checkGrant(requested: sendingLimits, creatorLimits: actor.sendingLimits)
        let expiresAt = try APIKeyRules.validateExpiry(expiresAt, now: now)
        let rateLimit = try rateLimit.validated()
        let token = APIKeyToken.generate(mode: mode)
        let key = APIKey(
            id: ResourceID.make(prefix: APIKey.idPrefix, at: now), workspaceID: workspaceID, name: name, mode: mode,
            displayPrefix: token.displayPrefix, lastFour: token.lastFour, scopes: scopes, allowedIPs: allowedIPs,
            rateLimit: rateLimit, expiresAt: expiresAt, createdAt: now,
            createdBy: actor.id == KeyActor.system.id ? nil : actor.id, updatedAt: now, sendingLimits: sendingLimits
        )
        let secret = APIKeySecret(hash: token.hash, keyID: key.id, createdAt: now, expiresAt: nil)
        let audit = AuditEvent(
            workspaceID: workspaceID, occurredAt: now, actor: actor.id, action: .apiKeyCreated, targetType: "api_key",
            targetID: key.id, ip: actor.ip, changes: Self.describe(key)
        )
        try await store.insertKey(key, secret: secret, audit: audit)
        return IssuedKey(key: key, token: token)
    }

    public func update(id: String, workspaceID: String, changes: Changes, by actor: KeyActor, now: Timestamp = .now) async throws -> APIKey {
        var key = try await liveKey(id: id, workspaceID: workspaceID)
        try requireCover(key, by: actor)
        var changed: [String: String] = [:]
        if let name = changes.name {
            key.name = try APIKeyRules.validateName(name)
            changed["name"] = key.name
        }
        if let scopes = changes.scopes {
            try APIKeyRules.checkGrant(requested: scopes, mode: key.mode, creatorScopes: actor.scopes, creatorMode: actor.mode)
            key.scopes = scopes
            changed["scopes"] = scopes.scopes.map(\.rawValue).joined(separator: " ")
        }
        if let allowedIPs = changes.allowedIPs {
            key.allowedIPs = allowedIPs
            changed["allowed_ips"] = allowedIPs.blocks.map(\.description).joined(separator: ",")
        }
        if let rateLimit = changes.rateLimit {
            key.rateLimit = try rateLimit.validated()
            changed["rate_limit"] = "\(rateLimit.requests)/\(rateLimit.perSeconds)s"
        }
        if let limits = changes.sendingLimits {
            try APIKeyRules.checkGrant(requested: limits, creatorLimits: actor.sendingLimits)
            key.sendingLimits = limits
            changed["sending_limits"] = Self.describe(limits)
        }
        if changes.removeExpiry {
            guard changes.expiresAt == nil else {
                throw ValidationError(param: "remove_expiry", message: "cannot be combined with expires_at")
            }
            key.expiresAt = nil
            changed["expires_at"] = "never"
        } else if let expiresAt = changes.expiresAt {
            key.expiresAt = try APIKeyRules.validateExpiry(expiresAt, now: now)
            changed["expires_at"] = String(expiresAt.millisecondsSinceEpoch)
        }
        key.updatedAt = now
        let audit = AuditEvent(
            workspaceID: workspaceID, occurredAt: now, actor: actor.id, action: .apiKeyUpdated, targetType: "api_key",
            targetID: id, ip: actor.ip, changes: changed
        )
        // The key was live when read, so a write that matches no live row means it was revoked in between.
        guard try await store.updateKey(key, audit: audit) else { throw KeyServiceError.revoked(id, at: nil) }
        verifier?.invalidate(keyID: id)
        if changes.rateLimit != nil { await rateLimiter?.reset(keyID: id) }
        return key
    }

    /// Issues a new secret; older secrets keep working for `overlapSeconds` (never longer than they already would).
    public func roll(id: String, workspaceID: String, overlapSeconds: Int64?, by actor: KeyActor, now: Timestamp = .now) async throws -> (issued: IssuedKey, previousExpiresAt: Timestamp) {
        let overlap = try APIKeyRules.validateRollOverlap(overlapSeconds)
        var key = try await liveKey(id: id, workspaceID: workspaceID)
        // Rolling hands the caller a working secret, so it must not reach keys more powerful than the caller.
        try requireCover(key, by: actor)
        let token = APIKeyToken.generate(mode: key.mode)
        let previousExpiresAt = now.adding(seconds: overlap)
        let secret = APIKeySecret(hash: token.hash, keyID: id, createdAt: now, expiresAt: nil)
        let audit = AuditEvent(
            workspaceID: workspaceID, occurredAt: now, actor: actor.id, action: .apiKeyRolled, targetType: "api_key",
            targetID: id, ip: actor.ip, changes: ["old_expires_in": String(overlap), "prefix": token.displayPrefix]
        )
        guard try await store.rollKey(
            id: id, workspaceID: workspaceID, newSecret: secret, displayPrefix: token.displayPrefix,
            lastFour: token.lastFour, previousSecretsExpireAt: previousExpiresAt, audit: audit
        ) else { throw KeyServiceError.revoked(id, at: nil) }
        verifier?.invalidate(keyID: id)
        key.displayPrefix = token.displayPrefix
        key.lastFour = token.lastFour
        key.updatedAt = now
        return (IssuedKey(key: key, token: token), previousExpiresAt)
    }

    /// Revokes at once. Any key with `keys:admin` may revoke any key of its workspace: taking power away is always safe.
    public func revoke(id: String, workspaceID: String, by actor: KeyActor, now: Timestamp = .now) async throws -> APIKey {
        var key = try await liveKey(id: id, workspaceID: workspaceID)
        let audit = AuditEvent(
            workspaceID: workspaceID, occurredAt: now, actor: actor.id, action: .apiKeyRevoked, targetType: "api_key",
            targetID: id, ip: actor.ip
        )
        guard try await store.revokeKey(id: id, workspaceID: workspaceID, at: now, audit: audit) else {
            throw KeyServiceError.revoked(id, at: nil)
        }
        verifier?.invalidate(keyID: id)
        key.revokedAt = now
        key.updatedAt = now
        return key
    }

    /// Drops keys revoked elsewhere (with a removed member) from this process's cache, so they are refused at once.
    public func forgetCached(keyIDs: [String]) {
        for id in keyIDs { verifier?.invalidate(keyID: id) }
    }

    /// The key, unless it is revoked: revoked keys cannot change.
    private func liveKey(id: String, workspaceID: String) async throws -> APIKey {
        let key = try await self.key(id: id, workspaceID: workspaceID)
        if let revokedAt = key.revokedAt { throw KeyServiceError.revoked(id, at: revokedAt) }
        return key
    }

    /// Changing or rolling a key needs a caller at least as powerful as the key: every scope, and limits no tighter.
    private func requireCover(_ key: APIKey, by actor: KeyActor) throws {
        guard key.scopes.isSubset(of: actor.scopes) else {
            throw KeyGrantError.scopesExceedCreator(key.scopes.scopes.filter { !actor.scopes.contains($0) })
        }
        try APIKeyRules.checkGrant(requested: key.sendingLimits, creatorLimits: actor.sendingLimits)
    }

    private static func describe(_ key: APIKey) -> [String: String] {
        [
            "name": key.name, "mode": key.mode.rawValue,
            "scopes": key.scopes.scopes.map(\.rawValue).joined(separator: " "),
            "allowed_ips": key.allowedIPs.blocks.map(\.description).joined(separator: ","),
            "rate_limit": "\(key.rateLimit.requests)/\(key.rateLimit.perSeconds)s",
            "sending_limits": describe(key.sendingLimits),
        ]
    }

    private static func describe(_ limits: SendingLimits) -> String {
        limits.isEmpty ? "none" : "from " + (limits.fromDomains.isEmpty ? "any domain" : limits.fromDomains.joined(separator: ","))
            + ", " + (limits.dailyRecipients.map { "\($0) recipients a day" } ?? "no daily quota")
    }
}

/// Key operations that name a key the workspace does not have (or, for changes, no longer has live).
public enum KeyServiceError: Error, Equatable, Sendable {
    case notFound(String)
    /// The key exists but was revoked (at that time, when known): it can be read, never changed again.
    case revoked(String, at: Timestamp?)
}
