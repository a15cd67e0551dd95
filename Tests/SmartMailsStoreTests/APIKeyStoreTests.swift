import SmartMailsCore
import SmartMailsStore
import SmartMailsTestSupport
import Testing

@Suite struct APIKeyStoreTests {
    static func makeWorkspace(_ store: SQLStore, slug: String) async throws -> Workspace {
        let now = Timestamp.now
        let workspace = Workspace(id: ResourceID.make(prefix: "ws"), slug: slug, name: slug, createdAt: now)
        let owner = Account(id: ResourceID.make(prefix: Account.idPrefix), email: "\(slug)@example.com", name: slug, createdAt: now)
        _ = try await store.createWorkspace(workspace, owner: owner, audit: audit(workspace.id, .workspaceCreated, target: workspace.id))
        return workspace
    }

    static func audit(_ workspaceID: String, _ action: AuditAction, target: String) -> AuditEvent {
        AuditEvent(workspaceID: workspaceID, occurredAt: .now, actor: "system", action: action, targetType: "api_key", targetID: target, ip: "192.0.2.1", changes: ["k": "v"])
    }

    static func makeKey(_ store: SQLStore, workspace: Workspace, now: Timestamp = .now) async throws -> (APIKey, APIKeyToken) {
        let token = APIKeyToken.generate(mode: .live)
        let key = APIKey(
            id: ResourceID.make(prefix: "key", at: now), workspaceID: workspace.id, name: "k", mode: .live,
            displayPrefix: token.displayPrefix, lastFour: token.lastFour, scopes: try ScopeSet.parse(["read"]),
            allowedIPs: try IPAllowlist.parse(["10.0.0.0/8", "2001:db8::/32"], param: "p"),
            rateLimit: RateLimitPolicy(requests: 5, perSeconds: 10), expiresAt: now.adding(seconds: 3600),
            createdAt: now, createdBy: nil, updatedAt: now
        )
        try await store.insertKey(key, secret: APIKeySecret(hash: token.hash, keyID: key.id, createdAt: now, expiresAt: nil), audit: audit(workspace.id, .apiKeyCreated, target: key.id))
        return (key, token)
    }

    @Test(arguments: TestDatabase.all)
    func migrationsAreIdempotent(database: TestDatabase) async throws {
        try await database.withStore { store in
            let applied = try await Migrations.migrate(store.client)
            #expect(applied.isEmpty)
            #expect(await store.ping())
        }
    }

    @Test(arguments: TestDatabase.all)
    func keysRoundTripAndAreFoundBySecretHash(database: TestDatabase) async throws {
        try await database.withStore { store in
            let workspace = try await Self.makeWorkspace(store, slug: "a")
            let (key, token) = try await Self.makeKey(store, workspace: workspace)
            #expect(try await store.key(id: key.id, workspaceID: workspace.id) == key)
            let found = try #require(try await store.keyForSecret(hash: token.hash))
            #expect(found.key == key)
            #expect(found.secret.expiresAt == nil)
            #expect(try await store.keyForSecret(hash: APIKeyToken.generate(mode: .live).hash) == nil)
        }
    }

    @Test(arguments: TestDatabase.all)
    func everyReadAndWriteIsScopedToItsWorkspace(database: TestDatabase) async throws {
        try await database.withStore { store in
            let first = try await Self.makeWorkspace(store, slug: "first")
            let second = try await Self.makeWorkspace(store, slug: "second")
            let (key, _) = try await Self.makeKey(store, workspace: first)
            #expect(try await store.key(id: key.id, workspaceID: second.id) == nil)
            #expect(try await store.keys(workspaceID: second.id, limit: 10, afterID: nil, includeRevoked: true).isEmpty)
            var stolen = key
            stolen.workspaceID = second.id
            stolen.name = "hijacked"
            #expect(try await store.updateKey(stolen, audit: Self.audit(second.id, .apiKeyUpdated, target: key.id)) == false)
            #expect(try await store.revokeKey(id: key.id, workspaceID: second.id, at: .now, audit: Self.audit(second.id, .apiKeyRevoked, target: key.id)) == false)
            #expect(try await store.key(id: key.id, workspaceID: first.id)?.name == "k")
            #expect(try await store.auditEvents(workspaceID: second.id, limit: 10, afterID: nil, targetID: key.id).isEmpty)
        }
    }

    @Test(arguments: TestDatabase.all)
    func rollingLimitsOldSecretsAndNeverExtendsThem(database: TestDatabase) async throws {
        try await database.withStore { store in
            let workspace = try await Self.makeWorkspace(store, slug: "a")
            let (key, first) = try await Self.makeKey(store, workspace: workspace)
            let now = Timestamp.now
            let second = APIKeyToken.generate(mode: .live)
            #expect(try await store.rollKey(
                id: key.id, workspaceID: workspace.id, newSecret: APIKeySecret(hash: second.hash, keyID: key.id, createdAt: now, expiresAt: nil),
                displayPrefix: second.displayPrefix, lastFour: second.lastFour, previousSecretsExpireAt: now.adding(seconds: 60),
                audit: Self.audit(workspace.id, .apiKeyRolled, target: key.id)
            ))
            #expect(try await store.keyForSecret(hash: first.hash)?.secret.expiresAt == now.adding(seconds: 60))
            #expect(try await store.keyForSecret(hash: second.hash)?.key.displayPrefix == second.displayPrefix)
            let third = APIKeyToken.generate(mode: .live)
            _ = try await store.rollKey(
                id: key.id, workspaceID: workspace.id, newSecret: APIKeySecret(hash: third.hash, keyID: key.id, createdAt: now, expiresAt: nil),
                displayPrefix: third.displayPrefix, lastFour: third.lastFour, previousSecretsExpireAt: now.adding(seconds: 600),
                audit: Self.audit(workspace.id, .apiKeyRolled, target: key.id)
            )
            #expect(try await store.keyForSecret(hash: first.hash)?.secret.expiresAt == now.adding(seconds: 60))
            #expect(try await store.keyForSecret(hash: second.hash)?.secret.expiresAt == now.adding(seconds: 600))
            #expect(try await store.keyForSecret(hash: third.hash)?.secret.expiresAt == nil)
        }
    }

    @Test(arguments: TestDatabase.all)
    func revokedKeysStayForTheAuditTrailButCannotChange(database: TestDatabase) async throws {
        try await database.withStore { store in
            let workspace = try await Self.makeWorkspace(store, slug: "a")
            let (key, token) = try await Self.makeKey(store, workspace: workspace)
            let at = Timestamp.now
            #expect(try await store.revokeKey(id: key.id, workspaceID: workspace.id, at: at, audit: Self.audit(workspace.id, .apiKeyRevoked, target: key.id)))
            #expect(try await store.revokeKey(id: key.id, workspaceID: workspace.id, at: at, audit: Self.audit(workspace.id, .apiKeyRevoked, target: key.id)) == false)
            #expect(try await store.keyForSecret(hash: token.hash)?.key.revokedAt == at)
            #expect(try await store.updateKey(key, audit: Self.audit(workspace.id, .apiKeyUpdated, target: key.id)) == false)
            #expect(try await store.keys(workspaceID: workspace.id, limit: 10, afterID: nil, includeRevoked: false).isEmpty)
            #expect(try await store.keys(workspaceID: workspace.id, limit: 10, afterID: nil, includeRevoked: true).count == 1)
            let actions = try await store.auditEvents(workspaceID: workspace.id, limit: 10, afterID: nil, targetID: key.id).map(\.action)
            #expect(actions == [.apiKeyRevoked, .apiKeyCreated])
        }
    }

    @Test(arguments: TestDatabase.all)
    func listsPageNewestFirstWithoutGapsOrRepeats(database: TestDatabase) async throws {
        try await database.withStore { store in
            let workspace = try await Self.makeWorkspace(store, slug: "a")
            var created: [String] = []
            for offset in 0..<7 {
                created.append(try await Self.makeKey(store, workspace: workspace, now: Timestamp.now.adding(milliseconds: Int64(offset * 5))).0.id)
            }
            var seen: [String] = []
            var after: String?
            repeat {
                let page = try await store.keys(workspaceID: workspace.id, limit: 3, afterID: after, includeRevoked: false)
                seen += page.map(\.id)
                after = page.count == 3 ? page.last?.id : nil
            } while after != nil
            #expect(seen == created.reversed())
        }
    }

    @Test(arguments: TestDatabase.all)
    func usageAccumulatesAndLastUseOnlyMovesForward(database: TestDatabase) async throws {
        try await database.withStore { store in
            let workspace = try await Self.makeWorkspace(store, slug: "a")
            let (key, _) = try await Self.makeKey(store, workspace: workspace)
            let minute = Timestamp.now.minuteFloor
            let later = Timestamp.now
            let earlier = later.adding(seconds: -30)
            try await store.recordUsage(
                [UsageSample(keyID: key.id, workspaceID: workspace.id, minute: minute, statusClass: 2, count: 3)],
                lastUses: [KeyLastUse(keyID: key.id, at: later, ip: "198.51.100.1")]
            )
            try await store.recordUsage(
                [UsageSample(keyID: key.id, workspaceID: workspace.id, minute: minute, statusClass: 2, count: 2),
                 UsageSample(keyID: key.id, workspaceID: workspace.id, minute: minute, statusClass: 4, count: 1)],
                lastUses: [KeyLastUse(keyID: key.id, at: earlier, ip: "198.51.100.2")]
            )
            let samples = try await store.usage(keyID: key.id, workspaceID: workspace.id, since: minute)
            #expect(samples.map(\.count) == [5, 1])
            #expect(samples.map(\.statusClass) == [2, 4])
            let stored = try #require(try await store.key(id: key.id, workspaceID: workspace.id))
            #expect(stored.lastUsedAt == later)
            #expect(stored.lastUsedIP == "198.51.100.1")
        }
    }

    @Test(arguments: TestDatabase.all)
    func idempotencyKeysReplayRefuseMismatchAndRelease(database: TestDatabase) async throws {
        try await database.withStore { store in
            let workspace = try await Self.makeWorkspace(store, slug: "a")
            let now = Timestamp.now
            #expect(try await store.claimIdempotencyKey(workspaceID: workspace.id, key: "k1", fingerprint: "f", now: now) == .claimed)
            #expect(try await store.claimIdempotencyKey(workspaceID: workspace.id, key: "k1", fingerprint: "f", now: now) == .inProgress)
            #expect(try await store.claimIdempotencyKey(workspaceID: workspace.id, key: "k1", fingerprint: "g", now: now) == .mismatch)
            try await store.completeIdempotencyKey(workspaceID: workspace.id, key: "k1", status: 202, body: "{}")
            #expect(try await store.claimIdempotencyKey(workspaceID: workspace.id, key: "k1", fingerprint: "f", now: now) == .completed(status: 202, body: "{}"))
            #expect(try await store.claimIdempotencyKey(workspaceID: workspace.id, key: "k2", fingerprint: "f", now: now) == .claimed)
            try await store.releaseIdempotencyKey(workspaceID: workspace.id, key: "k2")
            #expect(try await store.claimIdempotencyKey(workspaceID: workspace.id, key: "k2", fingerprint: "f", now: now) == .claimed)
            try await store.purgeIdempotencyKeys(olderThan: now.adding(seconds: 1))
            #expect(try await store.claimIdempotencyKey(workspaceID: workspace.id, key: "k1", fingerprint: "other", now: now) == .claimed)
        }
    }

    @Test(arguments: TestDatabase.all)
    func transactionsRollBackCompletely(database: TestDatabase) async throws {
        try await database.withStore { store in
            let workspace = try await Self.makeWorkspace(store, slug: "a")
            let (key, _) = try await Self.makeKey(store, workspace: workspace)
            // Same key id again: the key insert fails, so neither the secret nor the audit entry may remain.
            let token = APIKeyToken.generate(mode: .live)
            await #expect(throws: (any Error).self) {
                try await store.insertKey(key, secret: APIKeySecret(hash: token.hash, keyID: key.id, createdAt: .now, expiresAt: nil), audit: Self.audit(workspace.id, .apiKeyCreated, target: "dup"))
            }
            #expect(try await store.keyForSecret(hash: token.hash) == nil)
            #expect(try await store.auditEvents(workspaceID: workspace.id, limit: 10, afterID: nil, targetID: "dup").isEmpty)
        }
    }
}
