import SQLKit
import SmartMailsCore
import SmartMailsApp
import SmartMailsStore
import SmartMailsTestSupport
import Synchronization
import Testing

/// The verifier against the real store, which counts the secret lookups: when storage is read, and when not.
@Suite struct KeyVerifierTests {
    @Test(arguments: TestDatabase.all)
    func malformedTokensAreRefusedWithoutReadingStorage(database: TestDatabase) async throws {
        try await database.withStore { sqlStore in
            let store = SecretLookupCounter(sqlStore)
            let verifier = KeyVerifier(store: store, cacheSeconds: 60)
            let valid = APIKeyToken.generate(mode: .live).rawValue
            var mistyped = Array(valid)
            mistyped[20] = mistyped[20] == "x" ? "y" : "x"
            let malformed = [String(mistyped), String(valid.dropLast()), valid + "0", "sm_tset_" + valid.dropFirst(8), String(repeating: "a", count: 4096)]
            for token in malformed {
                // Twice: a refusal must not become a cache entry that skips the format check next time.
                for _ in 0..<2 {
                    let error = await #expect(throws: KeyVerificationError.self) { try await verifier.verify(token: Substring(token), clientIP: nil) }
                    guard case .malformed = error else {
                        Issue.record("\(token.prefix(12))… was refused as \(String(describing: error)), not as malformed")
                        continue
                    }
                }
            }
            #expect(store.secretLookups == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aTokenIsReadFromStorageOnceAndThenServedFromTheCache(database: TestDatabase) async throws {
        try await database.withStore { sqlStore in
            let store = SecretLookupCounter(sqlStore)
            let workspace = try await Bootstrap.createWorkspace(storage: sqlStore, slug: "w", name: "W", ownerEmail: "w@example.com").workspace
            let issued = try await KeyService(store: sqlStore).create(workspaceID: workspace.id, name: "k", scopes: .all, mode: .live, by: .system)
            let verifier = KeyVerifier(store: store, cacheSeconds: 60)
            let token = Substring(issued.token.rawValue)

            #expect(try await verifier.verify(token: token, clientIP: nil).id == issued.key.id)
            #expect(try await verifier.verify(token: token, clientIP: nil).id == issued.key.id)
            #expect(store.secretLookups == 1)

            // An unknown token of valid form is looked up once; its absence is cached like a key.
            let unknown = Substring(APIKeyToken.generate(mode: .live).rawValue)
            for _ in 0..<3 {
                let error = await #expect(throws: KeyVerificationError.self) { try await verifier.verify(token: unknown, clientIP: nil) }
                #expect(error == .unknown)
            }
            #expect(store.secretLookups == 2)
        }
    }

    /// A key whose stored row this build cannot read (a scope, CIDR block or mode it does not know) is refused, never
    /// read as something more permissive: an unreadable allowlist must not become "any address".
    @Test(arguments: TestDatabase.all)
    func aKeyThatCannotBeReadBackIsRefused(database: TestDatabase) async throws {
        try await database.withStore { store in
            let workspace = try await Bootstrap.createWorkspace(storage: store, slug: "w", name: "W", ownerEmail: "w@example.com").workspace
            let corruptions = [
                "scopes = 'keys:read contacts:delete'", "scopes = ''", "allowed_ips = '203.0.113.0/24,not-a-network'",
                "allowed_ips = '10.0.0.0/8,'", "mode = 'prod'",
            ]
            for corruption in corruptions {
                let issued = try await KeyService(store: store).create(
                    workspaceID: workspace.id, name: "k", scopes: .all, mode: .live,
                    allowedIPs: try IPAllowlist.parse(["192.0.2.0/24"], param: "allowed_ips"), by: .system
                )
                try await store.client.withTransaction { database in
                    try await database.raw("UPDATE api_keys SET \(unsafeRaw: corruption) WHERE id = \(bind: issued.key.id)").run()
                }
                let verifier = KeyVerifier(store: store, cacheSeconds: 60)
                let error = await #expect(throws: KeyVerificationError.self, "\(corruption)") {
                    try await verifier.verify(token: Substring(issued.token.rawValue), clientIP: IPAddress("198.51.100.7"))
                }
                #expect(error == .unreadable, "\(corruption)")
                await #expect(throws: StoredValueError.self, "\(corruption)") { try await store.key(id: issued.key.id, workspaceID: workspace.id) }
            }
        }
    }

    /// A revocation holds from the moment it returns. Tasks on every thread of the pool keep verifying the key while it
    /// is revoked; once `revoke` has returned, no verification on any thread may succeed.
    @Test(arguments: TestDatabase.all)
    func aRevocationReachesEveryThreadsCopyOfTheCacheAtOnce(database: TestDatabase) async throws {
        try await withRevocableKey(on: database) { verifier, token, revoke in
            let progress = RevocationRace()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        // Bounded, in case the revoker never gets to say stop.
                        for round in 0..<2_000_000 where !progress.stop.load(ordering: .relaxed) {
                            // Read before verifying: a success counts against the revocation only if the revocation
                            // had returned before this verification began.
                            let revokedBefore = progress.revoked.load(ordering: .sequentiallyConsistent)
                            let accepted = (try? await verifier.verify(token: token, clientIP: nil)) != nil
                            if revokedBefore {
                                progress.checkedAfter.add(1, ordering: .relaxed)
                                if accepted { progress.acceptedAfterRevocation.add(1, ordering: .relaxed) }
                            } else if accepted {
                                progress.acceptedBefore.add(1, ordering: .relaxed)
                            }
                            if round.isMultiple(of: 64) { await Task.yield() }
                        }
                    }
                }
                group.addTask {
                    defer { progress.stop.store(true, ordering: .relaxed) }
                    // Each wait bounded (30 s), so a broken verifier fails the checks below instead of hanging the run.
                    for _ in 0..<30_000 where progress.acceptedBefore.load(ordering: .relaxed) < 2_000 { try await Task.sleep(for: .milliseconds(1)) }
                    try await revoke()
                    progress.revoked.store(true, ordering: .sequentiallyConsistent)
                    for _ in 0..<30_000 where progress.checkedAfter.load(ordering: .relaxed) < 20_000 { try await Task.sleep(for: .milliseconds(1)) }
                }
                try await group.waitForAll()
            }
            #expect(progress.acceptedBefore.load(ordering: .relaxed) >= 2_000)
            #expect(progress.checkedAfter.load(ordering: .relaxed) >= 20_000)
            #expect(progress.acceptedAfterRevocation.load(ordering: .relaxed) == 0)
            let error = await #expect(throws: KeyVerificationError.self) { try await verifier.verify(token: token, clientIP: nil) }
            guard case .rejected(.revoked) = error else { Issue.record("refused as \(String(describing: error))"); return }
        }
    }
}

extension KeyVerifierTests {
    /// A verifier over the real store and one key issued through a `KeyService` that invalidates the verifier, as the
    /// server wires them; `body` gets the key's token and a way to revoke it.
    func withRevocableKey(
        on database: TestDatabase, _ body: (KeyVerifier, Substring, @escaping @Sendable () async throws -> Void) async throws -> Void
    ) async throws {
        try await database.withStore { store in
            let workspace = try await Bootstrap.createWorkspace(storage: store, slug: "w", name: "W", ownerEmail: "w@example.com").workspace
            let verifier = KeyVerifier(store: store, cacheSeconds: 3_600)
            let keys = KeyService(store: store, verifier: verifier, rateLimiter: nil)
            let issued = try await keys.create(workspaceID: workspace.id, name: "k", scopes: .all, mode: .live, by: .system)
            try await body(verifier, Substring(issued.token.rawValue)) {
                _ = try await keys.revoke(id: issued.key.id, workspaceID: workspace.id, by: .system)
            }
        }
    }
}

/// What the verifying tasks and the revoking task of `aRevocationReachesEveryThreadsCopyOfTheCacheAtOnce` share.
private final class RevocationRace: Sendable {
    /// Set once `revoke` has returned.
    let revoked = Atomic(false)
    let stop = Atomic(false)
    let acceptedBefore = Atomic(0)
    /// Verifications that began after the revocation had returned, and those of them that were let through.
    let checkedAfter = Atomic(0)
    let acceptedAfterRevocation = Atomic(0)
}
