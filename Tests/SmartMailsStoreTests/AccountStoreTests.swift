import SmartMailsCore
import SmartMailsStore
import SmartMailsTestSupport
import Testing

/// What the dashboard keeps and housekeeping removes, on both engines.
@Suite struct AccountStoreTests {
    @Test(arguments: TestDatabase.all)
    func housekeepingRemovesEndedSessionsStepsAndOldFailuresOnly(database: TestDatabase) async throws {
        try await database.withStore { store in
            let workspace = try await APIKeyStoreTests.makeWorkspace(store, slug: "w")
            let account = try #require(try await store.account(email: "w@example.com"))
            let now = Timestamp.now
            var audit: AuditEvent { APIKeyStoreTests.audit(workspace.id, .accountSignedIn, target: account.id) }
            func session(_ name: String, lastSeen: Timestamp, created: Timestamp) -> Session {
                Session(tokenHash: name, accountID: account.id, workspaceID: workspace.id, csrfToken: "c", createdAt: created, lastSeenAt: lastSeen, ip: nil)
            }
            try await store.createSession(session("live", lastSeen: now, created: now.adding(seconds: -86_400)), audit: audit)
            try await store.createSession(session("idle", lastSeen: now.adding(seconds: -Session.idleSeconds - 60), created: now.adding(seconds: -Session.idleSeconds - 60)), audit: audit)
            try await store.createSession(session("old", lastSeen: now, created: now.adding(seconds: -Session.maximumSeconds - 60)), audit: audit)
            try await store.createLoginChallenge(tokenHash: "gone", accountID: account.id, workspaceID: workspace.id, at: now.adding(seconds: -600), expiresAt: now.adding(seconds: -300))
            try await store.createLoginChallenge(tokenHash: "open", accountID: account.id, workspaceID: workspace.id, at: now, expiresAt: now.adding(seconds: 300))
            _ = try await store.recordLoginFailure(subjects: ["ip:192.0.2.1"], at: now.adding(seconds: -3600), since: now.adding(seconds: -7200), audit: nil)
            _ = try await store.recordLoginFailure(subjects: ["ip:192.0.2.1"], at: now, since: now.adding(seconds: -7200), audit: nil)

            try await store.purgeEnded(at: now, failuresBefore: now.adding(seconds: -900))
            #expect(try await store.sessions(accountID: account.id).map(\.tokenHash) == ["live"])
            #expect(try await store.loginChallenge(tokenHash: "open", at: now) != nil)
            #expect(try await store.loginFailures(subject: "ip:192.0.2.1", since: now.adding(seconds: -7200)).count == 1)
        }
    }
}
