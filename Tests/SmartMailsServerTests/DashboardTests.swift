import Foundation
import HTTPTypes
import HummingbirdTesting
import SmartMailsApp
import SmartMailsCore
import SmartMailsServer
import SmartMailsStore
import SmartMailsTestSupport
import Testing

/// The dashboard over HTTP, as a browser drives it, on both engines: passwords through one-time links, signing in
/// and its throttle, sessions, CSRF, roles, and the API keys pages with their effect on the API.
@Suite struct DashboardTests {
    static let password = "correct horse battery"

    /// A member of the app's workspace with `role`, signed in in a browser of their own.
    static func member(_ role: Role, email: String, app: TestApp, client: any TestClientProtocol) async throws -> DashboardBrowser {
        let accounts = AccountService(store: app.store, hasher: PasswordHasher(cost: 4))
        let account = try await accounts.addMember(email: email, role: role, workspaceID: app.workspace.id, by: "system")
        let token = try await accounts.issuePasswordLink(accountID: account.id, workspaceID: app.workspace.id)
        let browser = DashboardBrowser(client)
        try await browser.setPassword(token: token.rawValue, password: password)
        return browser
    }

    static func keyCount(_ app: TestApp) async throws -> Int {
        try await app.store.keys(workspaceID: app.workspace.id, limit: 1000, afterID: nil, includeRevoked: true).count
    }

    @Test(arguments: TestDatabase.all)
    func theFirstStartLinkSetsAPasswordOnceAndSignsIn(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let browser = DashboardBrowser(client)
            // Without a session every page sends to sign-in.
            #expect(try await browser.get("/app/keys").location == "/login")

            let form = try await browser.get("/login/password/\(app.ownerPasswordToken)")
            #expect(form.status == .ok && form.html.contains("owner@example.com"))
            let differ = try await browser.post("/login/password/\(app.ownerPasswordToken)", [("password", Self.password), ("confirm", "something else")])
            #expect(differ.status == .unprocessableContent && differ.html.contains("The two passwords differ"))
            let short = try await browser.post("/login/password/\(app.ownerPasswordToken)", [("password", "short"), ("confirm", "short")])
            #expect(short.status == .unprocessableContent && short.html.contains("at least 10 characters"))
            #expect(browser.cookie == nil)

            let set = try await browser.post("/login/password/\(app.ownerPasswordToken)", [("password", Self.password), ("confirm", Self.password)])
            #expect(set.status == .seeOther && set.location == "/app")
            let cookie = try #require(set.headers[values: .setCookie].first { $0.hasPrefix("sm_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"))
            let overview = try await browser.get("/app")
            #expect(overview.status == .ok && overview.html.contains("Default") && overview.html.contains("owner of this workspace"))

            // The link is used up, for this browser and any other.
            let again = try await DashboardBrowser(client).get("/login/password/\(app.ownerPasswordToken)")
            #expect(again.status == .notFound && again.html.contains("This link does not work"))
            let reuse = try await DashboardBrowser(client).post("/login/password/\(app.ownerPasswordToken)", [("password", "another password"), ("confirm", "another password")])
            #expect(reuse.status == .notFound)
            #expect(try await DashboardBrowser(client).get("/login/password/not-a-token").status == .notFound)

            // The password works for signing in; signing out ends the session for good.
            let other = DashboardBrowser(client)
            #expect(try await other.post("/login", [("email", " Owner@Example.com "), ("password", Self.password)]).location == "/app")
            let signedOutCookie = other.cookie
            let page = try await other.get("/app")
            #expect(try await other.post("/logout", [("csrf", page.csrf ?? "")]).location == "/login")
            other.cookie = signedOutCookie
            #expect(try await other.get("/app").location == "/login")
            #expect(try await browser.get("/app").status == .ok)
        }
    }

    @Test(arguments: TestDatabase.all)
    func wrongPasswordsAndUnknownAccountsGetTheSameAnswerAndTooManyLockTheAccount(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            try await DashboardBrowser(client).setPassword(token: app.ownerPasswordToken, password: Self.password)
            let browser = DashboardBrowser(client)
            let wrong = try await browser.post("/login", [("email", "owner@example.com"), ("password", "not the password")])
            let unknown = try await browser.post("/login", [("email", "nobody@example.com"), ("password", "not the password")])
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            #expect(wrong.first(#"class="error" role="alert">([^<]+)<"#) == unknown.first(#"class="error" role="alert">([^<]+)<"#))
            #expect(wrong.html.contains("value=\"owner@example.com\""))
            for _ in 0..<3 { _ = try await browser.post("/login", [("email", "owner@example.com"), ("password", "still wrong")]) }
            // The fifth failure locks the account, and the right password does not get in until the lock ends.
            let locked = try await browser.post("/login", [("email", "owner@example.com"), ("password", "still wrong")])
            #expect(locked.status == .tooManyRequests && locked.html.contains("Try again after"))
            let right = try await browser.post("/login", [("email", "owner@example.com"), ("password", Self.password)])
            #expect(right.status == .tooManyRequests && browser.cookie == nil)
            let failures = try await app.store.auditEvents(workspaceID: app.workspace.id, limit: 100, afterID: nil, targetID: nil)
                .filter { $0.action == .accountSignInFailed }
            #expect(failures.count == 5)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aKeyCreatedWithTheReadPresetIsShownOnceAndWorksOnTheAPI(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let browser = DashboardBrowser(client)
            try await browser.setPassword(token: app.ownerPasswordToken)
            let list = try await browser.get("/app/keys")
            #expect(list.status == .ok && list.html.contains("Admin key (created on first start)"))
            let created = try await browser.post("/app/keys", [("csrf", list.csrf ?? ""), ("name", "Shop backend"), ("preset", "read")])
            #expect(created.status == .created && created.html.contains("only time it is shown"))
            let secret = try #require(created.first(#"value="(sm_live_[0-9A-Za-z]{38})""#))

            let me = try await client.call(.get, "/v1/me", key: secret)
            #expect(me.status == .ok)
            let scopes = (me.json["key"] as? [String: Any])?["scopes"] as? [String]
            #expect(scopes == ScopePreset.read.scopes.scopes.map(\.rawValue))
            #expect((me.json["key"] as? [String: Any])?["created_by"] as? String == (try await app.store.account(email: "owner@example.com"))?.id)

            // Listed with its preset's name, never with its secret again.
            let again = try await browser.get("/app/keys")
            #expect(again.html.contains("Shop backend") && again.html.contains("Read") && !again.html.contains(secret))
            let id = try #require(again.first(#"href="/app/keys/(key_[0-9a-z]{26})">Shop backend"#))
            let page = try await browser.get("/app/keys/\(id)")
            #expect(page.status == .ok && !page.html.contains(secret) && page.html.contains("api_key.created"))
            #expect(page.html.contains("<svg class=\"chart\""))

            // Custom scopes, an allowlist and a limit from the advanced panel.
            let custom = try await browser.post("/app/keys", [
                ("csrf", list.csrf ?? ""), ("name", "Custom"), ("preset", "custom"), ("scopes[]", "contacts:read"),
                ("scopes[]", "messages:send"), ("allowed_ips", "203.0.113.0/24\n2001:db8::/32"), ("rate_requests", "120"), ("rate_seconds", "60"),
            ])
            let customSecret = try #require(custom.first(#"value="(sm_live_[0-9A-Za-z]{38})""#))
            try await client.call(.get, "/v1/me", key: customSecret).expectError(.forbidden, code: "ip_not_allowed")
            let customID = try #require(custom.first(#"href="/app/keys/(key_[0-9a-z]{26})""#))
            let stored = try await client.call(.get, "/v1/api-keys/\(customID)", key: app.adminKey).json
            #expect(stored["scopes"] as? [String] == ["contacts:read", "messages:send"])
            #expect(stored["allowed_ips"] as? [String] == ["203.0.113.0/24", "2001:db8::/32"])
            #expect((stored["rate_limit"] as? [String: Int])?["requests"] == 120)
        }
    }

    @Test(arguments: TestDatabase.all)
    func rollingAndRevokingFromThePageChangeWhatTheAPIAccepts(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let browser = DashboardBrowser(client)
            try await browser.setPassword(token: app.ownerPasswordToken)
            let issued = try await app.makeKey(scopes: ["read"])
            let page = try await browser.get("/app/keys/\(issued.key.id)")
            let csrf = try #require(page.csrf)

            let rolled = try await browser.post("/app/keys/\(issued.key.id)/roll", [("csrf", csrf), ("old_expires_in", "0")])
            let newSecret = try #require(rolled.first(#"value="(sm_live_[0-9A-Za-z]{38})""#))
            try await client.call(.get, "/v1/me", key: issued.token.rawValue).expectError(.unauthorized, code: "api_key_expired")
            #expect(try await client.call(.get, "/v1/me", key: newSecret).status == .ok)

            // Revoking asks for the key's name; a wrong one changes nothing.
            let wrongName = try await browser.post("/app/keys/\(issued.key.id)/revoke", [("csrf", csrf), ("confirm_name", "something else")])
            #expect(wrongName.status == .unprocessableContent && wrongName.html.contains("nothing was changed"))
            #expect(try await client.call(.get, "/v1/me", key: newSecret).status == .ok)
            let revoked = try await browser.post("/app/keys/\(issued.key.id)/revoke", [("csrf", csrf), ("confirm_name", "test key")])
            #expect(revoked.status == .seeOther)
            try await client.call(.get, "/v1/me", key: newSecret).expectError(.unauthorized, code: "api_key_revoked")
            let after = try await browser.get("/app/keys/\(issued.key.id)")
            #expect(after.html.contains("revoked") && !after.html.contains("Roll key"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func formsWithoutTheSessionsCSRFTokenChangeNothing(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let browser = DashboardBrowser(client)
            try await browser.setPassword(token: app.ownerPasswordToken)
            let before = try await Self.keyCount(app)
            for fields in [[("name", "x"), ("preset", "read")], [("csrf", "forged"), ("name", "x"), ("preset", "read")]] {
                let refused = try await browser.post("/app/keys", fields)
                #expect(refused.status == .forbidden && refused.html.contains("CSRF"))
            }
            // Another session's token is no better.
            let other = DashboardBrowser(client)
            #expect(try await other.post("/login", [("email", "owner@example.com"), ("password", Self.password)]).status == .seeOther)
            let otherToken = try #require(try await other.get("/app/keys").csrf)
            #expect(try await browser.post("/app/keys", [("csrf", otherToken), ("name", "x"), ("preset", "read")]).status == .forbidden)
            #expect(try await browser.post("/logout", []).status == .forbidden)
            #expect(try await Self.keyCount(app) == before)

            // A page of another site cannot post a form here, with the right token or none, nor sign anyone in.
            let csrf = try #require(try await browser.get("/app/keys").csrf)
            browser.origin = "http://evil.example"
            #expect(try await browser.post("/app/keys", [("csrf", csrf), ("name", "x"), ("preset", "read")]).status == .forbidden)
            let forcedLogin = DashboardBrowser(client)
            forcedLogin.origin = "http://evil.example"
            #expect(try await forcedLogin.post("/login", [("email", "owner@example.com"), ("password", Self.password)]).status == .forbidden)
            #expect(forcedLogin.cookie == nil)
            #expect(try await Self.keyCount(app) == before)
        }
    }

    @Test(arguments: TestDatabase.all)
    func eachRoleSeesAndDoesWhatItsScopesAllow(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let before = try await Self.keyCount(app)
            let marketer = try await Self.member(.marketer, email: "m@example.com", app: app, client: client)
            let overview = try await marketer.get("/app")
            #expect(overview.status == .ok && !overview.html.contains("/app/keys"))
            let keysPage = try await marketer.get("/app/keys")
            #expect(keysPage.status == .forbidden && keysPage.html.contains("keys:read"))
            #expect(try await marketer.post("/app/keys", [("csrf", overview.csrf ?? ""), ("name", "x"), ("preset", "read")]).status == .forbidden)

            let viewer = try await Self.member(.viewer, email: "v@example.com", app: app, client: client)
            let list = try await viewer.get("/app/keys")
            #expect(list.status == .ok && !list.html.contains("Create key"))
            #expect(try await viewer.post("/app/keys", [("csrf", list.csrf ?? ""), ("name", "x"), ("preset", "read")]).status == .forbidden)

            // A developer makes keys, but none with more than the developer's role holds.
            let developer = try await Self.member(.developer, email: "d@example.com", app: app, client: client)
            let csrf = try #require(try await developer.get("/app/keys").csrf)
            let tooMuch = try await developer.post("/app/keys", [("csrf", csrf), ("name", "x"), ("preset", "admin")])
            #expect(tooMuch.status == .forbidden && tooMuch.html.contains("members:admin"))
            #expect(try await Self.keyCount(app) == before)
            let fine = try await developer.post("/app/keys", [("csrf", csrf), ("name", "dev"), ("preset", "custom"), ("scopes[]", "keys:read")])
            #expect(fine.status == .created)
        }
    }

    @Test(arguments: TestDatabase.all)
    func valuesShownBackAreEscapedAndPagesForbidScriptsFromElsewhere(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let browser = DashboardBrowser(client)
            try await browser.setPassword(token: app.ownerPasswordToken)
            let payload = #"<script>alert("x")</script><img src=x onerror=alert(1)>"#
            let list = try await browser.get("/app/keys")
            let created = try await browser.post("/app/keys", [("csrf", list.csrf ?? ""), ("name", payload), ("preset", "read")])
            #expect(created.status == .created && !created.html.contains(payload))
            #expect(created.html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
            let again = try await browser.get("/app/keys")
            #expect(!again.html.contains("<script>alert") && !again.html.contains("<img src=x"))
            let login = try await DashboardBrowser(client).post("/login", [("email", #""><script>alert(1)</script>"#), ("password", "x")])
            #expect(!login.html.contains("<script>alert(1)"))
            for page in [again, login] {
                #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
                #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                #expect(page.headers[.cacheControl] == "no-store")
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func aNewPasswordEndsEveryOtherSessionAndSignOutEverywhereEndsAll(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let first = DashboardBrowser(client)
            try await first.setPassword(token: app.ownerPasswordToken)
            let second = DashboardBrowser(client)
            #expect(try await second.post("/login", [("email", "owner@example.com"), ("password", Self.password)]).status == .seeOther)
            let security = try await first.get("/app/security")
            #expect(security.status == .ok && security.html.contains("this one"))
            let csrf = try #require(security.csrf)

            let wrong = try await first.post("/app/security/password", [("csrf", csrf), ("current_password", "not it at all"), ("new_password", "a brand new one"), ("confirm", "a brand new one")])
            #expect(wrong.status == .unprocessableContent && wrong.html.contains("nothing was changed"))
            #expect(try await second.get("/app").status == .ok)
            let changed = try await first.post("/app/security/password", [("csrf", csrf), ("current_password", Self.password), ("new_password", "a brand new one"), ("confirm", "a brand new one")])
            #expect(changed.status == .seeOther)
            #expect(try await first.get("/app").status == .ok)
            #expect(try await second.get("/app").location == "/login")
            #expect(try await DashboardBrowser(client).post("/login", [("email", "owner@example.com"), ("password", Self.password)]).status == .unauthorized)

            #expect(try await second.post("/login", [("email", "owner@example.com"), ("password", "a brand new one")]).status == .seeOther)
            let csrfNow = try #require(try await first.get("/app/security").csrf)
            #expect(try await first.post("/app/security/sign-out-everywhere", [("csrf", csrfNow)]).location == "/login")
            #expect(try await first.get("/app").location == "/login")
            #expect(try await second.get("/app").location == "/login")
        }
    }

    @Test(arguments: TestDatabase.all)
    func aMemberMakesAWorkspaceAndSwitchesOnlyBetweenTheirOwn(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let owner = DashboardBrowser(client)
            try await owner.setPassword(token: app.ownerPasswordToken)
            let csrf = try #require(try await owner.get("/app/security").csrf)
            let taken = try await owner.post("/app/workspaces", [("csrf", csrf), ("slug", "default"), ("name", "Again")])
            #expect(taken.status == .unprocessableContent && taken.html.contains("taken"))
            let bad = try await owner.post("/app/workspaces", [("csrf", csrf), ("slug", "Not A Slug!"), ("name", "X")])
            #expect(bad.status == .unprocessableContent)
            #expect(try await owner.post("/app/workspaces", [("csrf", csrf), ("slug", "acme"), ("name", "Acme Inc.")]).location == "/app")
            let acme = try await owner.get("/app/keys")
            #expect(acme.html.contains("Acme Inc.") && !acme.html.contains("Admin key (created on first start)"))
            let defaultID = app.workspace.id
            #expect(try await owner.post("/app/workspace", [("csrf", acme.csrf ?? ""), ("workspace_id", defaultID)]).location == "/app")
            #expect(try await owner.get("/app/keys").html.contains("Admin key (created on first start)"))

            // Someone else's workspace is not one to switch to.
            let other = try await Bootstrap.createWorkspace(storage: app.store, slug: "other", name: "Other", ownerEmail: "o@example.com").workspace
            let refused = try await owner.post("/app/workspace", [("csrf", acme.csrf ?? ""), ("workspace_id", other.id)])
            #expect(refused.status == .forbidden)
            #expect(!(try await owner.get("/app").html.contains(">Other<")))
        }
    }

    @Test(arguments: TestDatabase.all)
    func theAuditLogPageFiltersAndIsForThoseWhoMayReadIt(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let owner = DashboardBrowser(client)
            try await owner.setPassword(token: app.ownerPasswordToken)
            let issued = try await app.makeKey(scopes: ["read"])
            _ = try await KeyService(store: app.store).revoke(id: issued.key.id, workspaceID: app.workspace.id, by: .system)
            let all = try await owner.get("/app/audit-log")
            #expect(all.status == .ok && all.html.contains("api_key.revoked") && all.html.contains("account.signed_in"))
            let revoked = try await owner.get("/app/audit-log?action=api_key.revoked")
            #expect(revoked.html.contains("api_key.revoked") && !revoked.html.contains("<code>account.signed_in</code>"))
            let about = try await owner.get("/app/audit-log?target=\(issued.key.id)")
            #expect(about.html.contains("<code>api_key.created</code>") && !about.html.contains("<code>workspace.created</code>"))

            let marketer = try await Self.member(.marketer, email: "m@example.com", app: app, client: client)
            #expect(try await marketer.get("/app/audit-log").status == .forbidden)
        }
    }

    @Test(arguments: TestDatabase.all)
    func editingAKeyOnItsPageChangesWhatTheAPIEnforcesWithinTheMembersRole(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let owner = DashboardBrowser(client)
            try await owner.setPassword(token: app.ownerPasswordToken)
            let issued = try await app.makeKey(scopes: ["read"])
            let page = try await owner.get("/app/keys/\(issued.key.id)")
            #expect(page.html.contains("value=\"60\"") && page.html.contains("Save changes"))
            let saved = try await owner.post("/app/keys/\(issued.key.id)/edit", [
                ("csrf", page.csrf ?? ""), ("name", "renamed"), ("scopes[]", "contacts:read"), ("allowed_ips", ""),
                ("rate_requests", "7"), ("rate_seconds", "60"), ("expires", "2030-06-30"),
            ])
            #expect(saved.status == .seeOther)
            let me = try await client.call(.get, "/v1/me", key: issued.token.rawValue)
            #expect(me.header("X-RateLimit-Limit") == "7")
            let key = me.json["key"] as? [String: Any]
            #expect(key?["name"] as? String == "renamed" && key?["scopes"] as? [String] == ["contacts:read"])
            #expect(key?["expires_at"] as? String == "2030-06-30T23:59:59Z")
            let invalid = try await owner.post("/app/keys/\(issued.key.id)/edit", [
                ("csrf", page.csrf ?? ""), ("name", "renamed"), ("scopes[]", "contacts:read"), ("allowed_ips", "not an address"),
                ("rate_requests", "7"), ("rate_seconds", "60"), ("expires", "2030-06-30"),
            ])
            #expect(invalid.status == .unprocessableContent && invalid.html.contains("allowed ips"))

            // A developer may edit keys, but not give one a scope the developer's role lacks.
            let developer = try await Self.member(.developer, email: "d@example.com", app: app, client: client)
            let csrf = try #require(try await developer.get("/app/keys/\(issued.key.id)").csrf)
            let tooMuch = try await developer.post("/app/keys/\(issued.key.id)/edit", [
                ("csrf", csrf), ("name", "renamed"), ("scopes[]", "contacts:write"), ("rate_requests", "7"), ("rate_seconds", "60"),
                ("expires", "2030-06-30"),
            ])
            #expect(tooMuch.status == .forbidden)
            let unchanged = try await client.call(.get, "/v1/me", key: issued.token.rawValue).json["key"] as? [String: Any]
            #expect(unchanged?["scopes"] as? [String] == ["contacts:read"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func twoFactorAsksForACodeEachStepOnceAndRecoveryCodesWorkOnce(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let owner = DashboardBrowser(client)
            try await owner.setPassword(token: app.ownerPasswordToken)
            let csrf = try #require(try await owner.get("/app/security").csrf)
            #expect(try await owner.post("/app/security/two-factor/start", [("csrf", csrf)]).status == .seeOther)
            let pending = try await owner.get("/app/security")
            let secret = try #require(pending.first(#"id="totp-secret">([A-Z2-7]+)<"#))
            let totp = try #require(TOTP(base32: secret))
            #expect(pending.html.contains("otpauth://totp/SmartMails:owner@example.com"))
            let wrong = try await owner.post("/app/security/two-factor/confirm", [("csrf", csrf), ("code", "000000")])
            #expect(wrong.status == .unprocessableContent && wrong.html.contains("still off"))
            let setupCode = totp.code(at: .now)
            let confirmed = try await owner.post("/app/security/two-factor/confirm", [("csrf", csrf), ("code", setupCode)])
            #expect(confirmed.status == .ok && confirmed.html.contains("recovery codes"))
            let recovery = try #require(confirmed.first(#"<li><code>([0-9a-z]{5}-[0-9a-z]{5})</code></li>"#))

            // Signing in now takes the password, then a code; the code the setup used does not work twice.
            let browser = DashboardBrowser(client)
            let step = try await browser.post("/login", [("email", "owner@example.com"), ("password", Self.password)])
            #expect(step.status == .ok && step.html.contains("Two-factor code") && browser.cookie == nil)
            let challenge = try #require(step.first(#"name="challenge" value="([0-9A-Za-z]+)""#))
            let replay = try await browser.post("/login/two-factor", [("challenge", challenge), ("code", setupCode)])
            #expect(replay.status == .unauthorized && browser.cookie == nil)
            let recovered = try await browser.post("/login/two-factor", [("challenge", challenge), ("code", recovery)])
            #expect(recovered.status == .seeOther && browser.cookie != nil)
            #expect(try await browser.post("/login/two-factor", [("challenge", challenge), ("code", recovery)]).status == .unauthorized)

            let again = DashboardBrowser(client)
            let secondChallenge = try #require(try await again.post("/login", [("email", "owner@example.com"), ("password", Self.password)])
                .first(#"name="challenge" value="([0-9A-Za-z]+)""#))
            #expect(try await again.post("/login/two-factor", [("challenge", secondChallenge), ("code", recovery)]).status == .unauthorized)
            #expect(try await again.post("/login/two-factor", [("challenge", "forged"), ("code", "123456")]).status == .unauthorized)
            let actions = try await app.store.auditEvents(workspaceID: app.workspace.id, limit: 100, afterID: nil, targetID: nil).map(\.action)
            #expect(actions.contains(.accountTwoFactorEnabled))

            // Turning it off takes a code too.
            let csrfNow = try #require(try await browser.get("/app/security").csrf)
            let refused = try await browser.post("/app/security/two-factor/disable", [("csrf", csrfNow), ("code", "nope")])
            #expect(refused.status == .unprocessableContent && refused.html.contains("still on"))
        }
    }

    /// Behind a proxy that rewrites `Host`, forms come from the public address, which `SMARTMAILS_PUBLIC_URL` names.
    @Test func formsFromThePublicAddressAreAcceptedBehindAProxy() async throws {
        try await TestApp.run(on: .sqlite, configure: { $0.publicURL = "https://mail.example.com/" }) { app, client in
            let browser = DashboardBrowser(client)
            browser.origin = "https://mail.example.com"
            try await browser.setPassword(token: app.ownerPasswordToken)
            browser.origin = "https://mail.example.com.evil.example"
            #expect(try await browser.post("/login", [("email", "owner@example.com"), ("password", Self.password)]).status == .forbidden)
        }
    }

    /// From one address, twenty failures over any accounts lock that address out, even for an account with no failures.
    @Test func manyFailuresFromOneAddressLockTheAddress() async throws {
        try await TestApp.run(on: .sqlite, mode: .live) { app, client in
            try await DashboardBrowser(client).setPassword(token: app.ownerPasswordToken)
            let browser = DashboardBrowser(client)
            for attempt in 0..<19 {
                let page = try await browser.post("/login", [("email", "nobody\(attempt)@example.com"), ("password", "wrong password")])
                #expect(page.status == .unauthorized)
            }
            let twentieth = try await browser.post("/login", [("email", "someone@example.com"), ("password", "wrong password")])
            #expect(twentieth.status == .tooManyRequests)
            let owner = try await browser.post("/login", [("email", "owner@example.com"), ("password", Self.password)])
            #expect(owner.status == .tooManyRequests && owner.html.contains("Try again after") && browser.cookie == nil)
        }
    }

    /// Unknown accounts are checked against a hash of the same cost as real ones, so they take the same work.
    @Test func theHashCheckedForUnknownAccountsHasTheConfiguredCost() async {
        for cost in [UInt8(4), 5] {
            let hasher = PasswordHasher(cost: cost)
            let real = await hasher.hash("some password here")
            let unmatchable = await hasher.unmatchableHash()
            #expect(unmatchable.prefix(7) == real.prefix(7) && unmatchable != real)
            #expect(await !hasher.verify("some password here", hash: unmatchable))
        }
    }

    /// The cookie is Secure when a trusted proxy says the browser spoke HTTPS to it, and only then.
    @Test func theSessionCookieIsSecureBehindATrustedHTTPSProxy() async throws {
        try await TestApp.run(on: .sqlite, mode: .live, configure: { $0.trustedProxies = try! IPAllowlist.parse(["127.0.0.1/32"], param: "p") }) { app, client in
            let proxied = DashboardBrowser(client)
            proxied.extraHeaders[HTTPField.Name("X-Forwarded-Proto")!] = "https"
            try await proxied.setPassword(token: app.ownerPasswordToken)
            #expect(proxied.lastSetCookie?.contains("Secure") == true)
            let plain = DashboardBrowser(client)
            #expect(try await plain.post("/login", [("email", "owner@example.com"), ("password", Self.password)]).status == .seeOther)
            #expect(plain.lastSetCookie?.contains("Secure") == false)
        }
        // From a peer that is not a trusted proxy, the header is not believed.
        try await TestApp.run(on: .sqlite, mode: .live) { app, client in
            let browser = DashboardBrowser(client)
            browser.extraHeaders[HTTPField.Name("X-Forwarded-Proto")!] = "https"
            try await browser.setPassword(token: app.ownerPasswordToken)
            #expect(browser.lastSetCookie?.contains("Secure") == false)
        }
    }
}
