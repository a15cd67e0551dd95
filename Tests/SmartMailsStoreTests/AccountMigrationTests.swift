import SQLKit
import SmartMailsCore
import SmartMailsStore
import SmartMailsTestSupport
import Testing

/// Migration 3 on a database of the version before it: one account per e-mail (case folded), a membership per
/// workspace, the old `member` role read as `viewer`, and the old table gone.
@Suite struct AccountMigrationTests {
    @Test(arguments: TestDatabase.all)
    func usersBecomeAccountsWithAMembershipPerWorkspace(database: TestDatabase) async throws {
        try await database.withStore(migratedThrough: 2) { store in
            try await store.client.withTransaction { database in
                for (id, slug) in [("ws_a", "a"), ("ws_b", "b")] {
                    try await database.raw("INSERT INTO workspaces (id, slug, name, created_at) VALUES (\(bind: id), \(bind: slug), \(bind: slug), 1)").run()
                }
                try await database.raw("""
                    INSERT INTO users (id, workspace_id, email, role, created_at) VALUES
                        ('usr_1', 'ws_a', 'Ana@Example.com', 'owner', 10), ('usr_2', 'ws_b', 'ana@example.com', 'member', 20),
                        ('usr_3', 'ws_b', 'ben@example.com', 'admin', 30)
                    """).run()
            }
            #expect(try await Migrations.migrate(store.client, through: 3) == [3])

            let ana = try #require(try await store.account(email: "ana@example.com"))
            #expect(ana.id == "usr_1" && ana.passwordSetAt == nil)
            let memberships = try await store.memberships(accountID: ana.id)
            #expect(memberships.map(\.workspaceID) == ["ws_a", "ws_b"])
            #expect(memberships.map(\.role) == [.owner, .viewer] && memberships.allSatisfy { $0.status == .active })
            #expect(try await store.membership(workspaceID: "ws_b", accountID: "usr_3")?.role == .admin)
            let remaining = try await store.client.withReader { database in
                try await database.raw("SELECT COUNT(*) AS total FROM accounts").first()?.decode(column: "total", as: Int.self)
            }
            #expect(remaining == 2)
            await #expect(throws: (any Error).self) {
                try await store.client.withReader { try await $0.raw("SELECT * FROM users").all() }
            }
        }
    }
}
