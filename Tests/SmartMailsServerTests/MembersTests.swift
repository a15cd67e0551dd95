import Foundation
import HTTPTypes
import HummingbirdTesting
import SmartMailsApp
import SmartMailsCore
import SmartMailsStore
import SmartMailsTestSupport
import Testing

/// The team through `/v1/members` and the dashboard, on both engines: invitations that work once, roles that only
/// an owner gives to owners, the last owner kept, and a removal that ends sessions and, if asked, the member's keys.
@Suite struct MembersTests {
    static let password = "correct horse battery"

    static func token(from url: String) -> String {
        String(url.split(separator: "/").last ?? "")
    }

    @Test(arguments: TestDatabase.all)
    func anInvitationWorksOnceAndMakesAnActiveMemberWithItsRole(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let invited = try await client.call(.post, "/v1/members", key: app.adminKey, json: #"{"email":" Ana@Example.com ","role":"marketer"}"#)
            #expect(invited.status == .created)
            #expect(invited.json["email"] as? String == "ana@example.com" && invited.json["status"] as? String == "invited")
            let url = try #require(invited.json["invitation_url"] as? String)
            #expect(url.hasPrefix("http://127.0.0.1:0/invitations/"))
            let id = try #require(invited.json["id"] as? String)

            let pending = try await client.call(.get, "/v1/invitations", key: app.adminKey).json["data"] as? [[String: Any]]
            #expect(pending?.map { $0["email"] as? String } == ["ana@example.com"])
            #expect(pending?.first?["invitation_expires_at"] is String)
            try await client.call(.post, "/v1/members", key: app.adminKey, json: #"{"email":"ana@example.com","role":"viewer"}"#)
                .expectError(.conflict, code: "already_member")

            // Invited is not yet in: a password of their own through the link first.
            let browser = DashboardBrowser(client)
            let join = try await browser.get("/invitations/\(Self.token(from: url))")
            #expect(join.status == .ok && join.html.contains("Join Default") && join.html.contains("marketer"))
            let joined = try await browser.post("/invitations/\(Self.token(from: url))", [("password", Self.password), ("confirm", Self.password)])
            #expect(joined.status == .seeOther && joined.location == "/app")
            #expect(try await browser.get("/app").html.contains("marketer of this workspace"))
            #expect(try await DashboardBrowser(client).get("/invitations/\(Self.token(from: url))").status == .notFound)

            let members = try await client.call(.get, "/v1/members", key: app.adminKey).json["data"] as? [[String: Any]] ?? []
            #expect(Set(members.compactMap { $0["email"] as? String }) == ["owner@example.com", "ana@example.com"])
            #expect(members.first { $0["id"] as? String == id }?["status"] as? String == "active")
            #expect((try await client.call(.get, "/v1/invitations", key: app.adminKey).json["data"] as? [Any])?.isEmpty == true)
            let actions = try await app.store.auditEvents(workspaceID: app.workspace.id, limit: 50, afterID: nil, targetID: id).map(\.action)
            #expect(actions.contains(.memberInvited) && actions.contains(.memberJoined))
        }
    }

    @Test(arguments: TestDatabase.all)
    func onlyOwnersTouchOwnersAndAWorkspaceKeepsOne(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let owner = try #require(try await app.store.account(email: "owner@example.com"))
            // A key acts as an admin: it cannot make, demote or remove owners.
            try await client.call(.post, "/v1/members", key: app.adminKey, json: #"{"email":"o2@example.com","role":"owner"}"#)
                .expectError(.forbidden, code: "role_not_assignable")
            try await client.call(.patch, "/v1/members/\(owner.id)", key: app.adminKey, json: #"{"role":"viewer"}"#)
                .expectError(.forbidden, code: "role_not_assignable")
            try await client.call(.delete, "/v1/members/\(owner.id)", key: app.adminKey).expectError(.forbidden, code: "role_not_assignable")

            // The owner, through the dashboard, cannot demote themselves while the only owner.
            let browser = DashboardBrowser(client)
            try await browser.setPassword(token: app.ownerPasswordToken)
            let team = try await browser.get("/app/team")
            let demote = try await browser.post("/app/team/\(owner.id)/role", [("csrf", team.csrf ?? ""), ("role", "viewer")])
            #expect(demote.status == .conflict && demote.html.contains("at least one owner"))

            let invited = try await client.call(.post, "/v1/members", key: app.adminKey, json: #"{"email":"dev@example.com","role":"developer"}"#)
            let id = try #require(invited.json["id"] as? String)
            let changed = try await client.call(.patch, "/v1/members/\(id)", key: app.adminKey, json: #"{"role":"admin"}"#)
            #expect(changed.status == .ok && changed.json["role"] as? String == "admin")
            try await client.call(.patch, "/v1/members/usr_00000000000000000000000000", key: app.adminKey, json: #"{"role":"admin"}"#)
                .expectError(.notFound, code: "not_found")
            try await client.call(.patch, "/v1/members/\(id)", key: app.adminKey, json: #"{"role":"boss"}"#).expectError(.badRequest, code: "invalid_value")

            // Keys need members:admin; a read key is refused.
            let reader = try await app.makeKey(scopes: ["read"])
            try await client.call(.get, "/v1/members", key: reader.token.rawValue).expectError(.forbidden, code: "insufficient_scope")
        }
    }

    @Test(arguments: TestDatabase.all)
    func removingAMemberEndsTheirSessionsAndOnRequestTheirKeys(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let invited = try await client.call(.post, "/v1/members", key: app.adminKey, json: #"{"email":"dev@example.com","role":"developer"}"#)
            let id = try #require(invited.json["id"] as? String)
            let browser = DashboardBrowser(client)
            let url = try #require(invited.json["invitation_url"] as? String)
            #expect(try await browser.post("/invitations/\(Self.token(from: url))", [("password", Self.password), ("confirm", Self.password)]).status == .seeOther)
            let keysPage = try await browser.get("/app/keys")
            let created = try await browser.post("/app/keys", [("csrf", keysPage.csrf ?? ""), ("name", "dev key"), ("preset", "custom"), ("scopes[]", "keys:read")])
            let secret = try #require(created.first(#"value="(sm_live_[0-9A-Za-z]{38})""#))
            #expect(try await client.call(.get, "/v1/me", key: secret).status == .ok)

            let removed = try await client.call(.delete, "/v1/members/\(id)?revoke_keys=true", key: app.adminKey)
            #expect(removed.status == .ok && (removed.json["revoked_keys"] as? [String])?.count == 1)
            try await client.call(.get, "/v1/me", key: secret).expectError(.unauthorized, code: "api_key_revoked")
            #expect(try await browser.get("/app/keys").location == "/login")
            try await client.call(.delete, "/v1/members/\(id)", key: app.adminKey).expectError(.notFound, code: "not_found")
            let members = try await client.call(.get, "/v1/members", key: app.adminKey).json["data"] as? [[String: Any]] ?? []
            #expect(members.map { $0["email"] as? String } == ["owner@example.com"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func theTeamPageInvitesWithALinkShownOnceAndIsForAdminsOnly(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let owner = DashboardBrowser(client)
            try await owner.setPassword(token: app.ownerPasswordToken)
            let team = try await owner.get("/app/team")
            #expect(team.status == .ok && team.html.contains("owner@example.com"))
            let invite = try await owner.post("/app/team/invite", [("csrf", team.csrf ?? ""), ("email", "viewer@example.com"), ("role", "viewer")])
            #expect(invite.status == .created)
            let link = try #require(invite.first(#"value="(http://[^"]+/invitations/[0-9A-Za-z]+)""#))
            #expect(!(try await owner.get("/app/team").html.contains(Self.token(from: link))))
            let forged = try await owner.post("/app/team/invite", [("csrf", "forged"), ("email", "x@example.com"), ("role", "viewer")])
            #expect(forged.status == .forbidden)

            let viewer = DashboardBrowser(client)
            #expect(try await viewer.post("/invitations/\(Self.token(from: link))", [("password", Self.password), ("confirm", Self.password)]).status == .seeOther)
            let refused = try await viewer.get("/app/team")
            #expect(refused.status == .forbidden && refused.html.contains("members:admin"))
            let csrf = try #require(try await viewer.get("/app").csrf)
            #expect(try await viewer.post("/app/team/invite", [("csrf", csrf), ("email", "y@example.com"), ("role", "admin")]).status == .forbidden)
            #expect((try await client.call(.get, "/v1/invitations", key: app.adminKey).json["data"] as? [Any])?.isEmpty == true)
        }
    }

    @Test(arguments: TestDatabase.all)
    func expiredLinksDoNotWorkAndAddressesShownBackAreEscaped(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            // Links are checked against the time of use: eight days on, a 7-day link is refused.
            let team = TeamService(store: app.store, hasher: PasswordHasher(cost: 4))
            let owner = try #require(try await app.store.account(email: "owner@example.com"))
            let invited = try await team.invite(
                email: "late@example.com", role: .viewer, workspaceID: app.workspace.id, by: .init(id: owner.id, role: .owner, ip: nil)
            )
            let later = Timestamp.now.adding(seconds: 8 * 86_400)
            #expect(try await team.invitation(token: invited.token.rawValue, now: later) == nil)
            await #expect(throws: TeamError.invitationNotValid) {
                _ = try await team.accept(token: invited.token.rawValue, password: "correct horse battery", ip: nil, now: later)
            }
            let accounts = AccountService(store: app.store, hasher: PasswordHasher(cost: 4))
            #expect(try await accounts.passwordLink(token: app.ownerPasswordToken, now: later) == nil)
            await #expect(throws: AccountError.linkNotValid) {
                _ = try await accounts.setPassword(linkToken: app.ownerPasswordToken, password: "correct horse battery", ip: nil, now: later)
            }

            // An address with markup in it is shown as text on the team page and in the audit log.
            let payload = #"<img/src=x/onerror=alert(1)>@example.com"#
            let made = try await client.call(.post, "/v1/members", key: app.adminKey, json: #"{"email":"<img/src=x/onerror=alert(1)>@example.com","role":"viewer"}"#)
            #expect(made.status == .created)
            let browser = DashboardBrowser(client)
            try await browser.setPassword(token: app.ownerPasswordToken)
            for path in ["/app/team", "/app/audit-log"] {
                let page = try await browser.get(path)
                #expect(page.status == .ok && !page.html.contains(payload) && page.html.contains("&lt;img/src=x/onerror=alert(1)&gt;"), "\(path)")
            }
        }
    }
}
