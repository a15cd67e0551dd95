import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SmartMailsCore
import SQLKit
import SmartMailsApp
import SmartMailsServer
import SmartMailsStore
import SmartMailsTestSupport
import Testing

@Suite struct AuthenticationTests {
    @Test(arguments: TestDatabase.all)
    func everyRefusalHasItsOwnCodeAndTheBearerChallenge(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let missing = try await client.call(.get, "/v1/me", key: nil)
            missing.expectError(.unauthorized, code: "missing_api_key")
            #expect(missing.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)

            var mistyped = Array(app.adminKey)
            mistyped[20] = mistyped[20] == "x" ? "y" : "x"
            let malformed = try await client.call(.get, "/v1/me", key: String(mistyped))
            malformed.expectError(.unauthorized, code: "malformed_api_key")
            #expect(malformed.header("WWW-Authenticate") == #"Bearer error="invalid_token""#)
            #expect(malformed.errorMessage.contains("checksum"))

            var basic = HTTPFields()
            basic[.authorization] = "Basic dXNlcjpwYXNz"
            try await client.call(.get, "/v1/me", key: nil, headers: basic).expectError(.unauthorized, code: "malformed_api_key")

            // Two Authorization fields: a proxy in front may have checked the other one, so neither is trusted.
            var twice = HTTPFields()
            twice.append(HTTPField(name: .authorization, value: "Bearer \(app.adminKey)"))
            twice.append(HTTPField(name: .authorization, value: "Bearer \(app.adminKey)"))
            let doubled = try await client.call(.get, "/v1/me", key: nil, headers: twice)
            doubled.expectError(.unauthorized, code: "malformed_api_key")
            #expect(doubled.errorMessage.contains("one Authorization header"))

            let unknown = APIKeyToken.generate(mode: .live).rawValue
            try await client.call(.get, "/v1/me", key: unknown).expectError(.unauthorized, code: "invalid_api_key")

            let inQuery = try await client.call(.get, "/v1/me?api_key=\(app.adminKey)", key: app.adminKey)
            inQuery.expectError(.badRequest, code: "api_key_in_query")

            let ok = try await client.call(.get, "/v1/me", key: app.adminKey)
            #expect(ok.status == .ok)
            #expect((ok.json["workspace"] as? [String: Any])?["slug"] as? String == "default")
            #expect(ok.header("Request-Id")?.hasPrefix("req_") == true)
            // Each added once, though two layers add them: the key's layer its fields and the id, the envelope the id
            // only where the key's layer did not answer.
            for name in ["Request-Id", "RateLimit-Policy", "RateLimit", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"] {
                #expect(ok.headers[values: HTTPField.Name(name)!].count == 1, "\(name)")
            }
            #expect(inQuery.headers[values: HTTPField.Name("Request-Id")!].count == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func revocationTakesEffectOnTheVeryNextRequest(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let issued = try await app.makeKey(scopes: ["read"])
            #expect(try await client.call(.get, "/v1/me", key: issued.token.rawValue).status == .ok)
            let revoked = try await client.call(.post, "/v1/api-keys/\(issued.key.id)/revoke", key: app.adminKey)
            #expect(revoked.status == .ok)
            #expect(revoked.json["status"] as? String == "revoked")
            let after = try await client.call(.get, "/v1/me", key: issued.token.rawValue)
            after.expectError(.unauthorized, code: "api_key_revoked")
            #expect(after.errorMessage.contains("revoked at"))
            // The row stays for the audit trail.
            let listed = try await client.call(.get, "/v1/api-keys?include_revoked=true", key: app.adminKey)
            #expect((listed.json["data"] as? [[String: Any]])?.contains { $0["id"] as? String == issued.key.id } == true)
        }
    }

    /// A key row with an allowlist entry this version cannot parse must not read as "no allowlist": the key is
    /// refused (ours to fix, so a 500), and listing keys fails rather than showing it as unrestricted.
    @Test(arguments: TestDatabase.all)
    func aKeyWhoseStoredAllowlistCannotBeReadIsRefused(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let issued = try await app.makeKey(scopes: ["read"], allowedIPs: ["192.0.2.0/24"])
            try await app.store.client.withTransaction { database in
                try await database.raw("UPDATE api_keys SET allowed_ips = '192.0.2.0/24,192.0.2.0/33' WHERE id = \(bind: issued.key.id)").run()
            }
            try await client.call(.get, "/v1/me", key: issued.token.rawValue).expectError(.internalServerError, code: "internal_error")
            try await client.call(.get, "/v1/api-keys/\(issued.key.id)", key: app.adminKey).expectError(.internalServerError, code: "internal_error")
        }
    }

    @Test(arguments: TestDatabase.all)
    func expiredKeysSaySo(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let past = Timestamp.now.adding(seconds: -7200)
            let issued = try await app.makeKey(scopes: ["read"], expiresAt: past.adding(seconds: 3600), now: past)
            let response = try await client.call(.get, "/v1/me", key: issued.token.rawValue)
            response.expectError(.unauthorized, code: "api_key_expired")
            let shown = try await client.call(.get, "/v1/api-keys/\(issued.key.id)", key: app.adminKey)
            #expect(shown.json["status"] as? String == "expired")
        }
    }

    @Test(arguments: TestDatabase.all)
    func rollingKeepsTheOldSecretForTheOverlapOnly(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let issued = try await app.makeKey(scopes: ["read"])
            let old = issued.token.rawValue

            // 10 s of overlap: a machine busy with the whole suite has taken over 5 s to answer the next request.
            let rolled = try await client.call(.post, "/v1/api-keys/\(issued.key.id)/roll", key: app.adminKey, json: #"{"old_expires_in": 10}"#)
            #expect(rolled.status == .ok)
            let new = try #require(rolled.json["secret"] as? String)
            #expect(new != old && rolled.json["id"] as? String == issued.key.id)
            #expect(rolled.json["previous_secret_expires_at"] is String)
            #expect(rolled.json["prefix"] as? String == String(new.prefix(12)))

            #expect(try await client.call(.get, "/v1/me", key: old).status == .ok)
            #expect(try await client.call(.get, "/v1/me", key: new).status == .ok)
            try await Task.sleep(for: .milliseconds(10_200))
            let expired = try await client.call(.get, "/v1/me", key: old)
            expired.expectError(.unauthorized, code: "api_key_expired")
            #expect(expired.errorMessage.contains("rolled"))
            #expect(try await client.call(.get, "/v1/me", key: new).status == .ok)

            // Rolling with no body uses the default overlap of a day; 0 ends the old secret at once.
            let defaulted = try await client.call(.post, "/v1/api-keys/\(issued.key.id)/roll", key: app.adminKey)
            let third = try #require(defaulted.json["secret"] as? String)
            #expect(try await client.call(.get, "/v1/me", key: new).status == .ok)
            _ = try await client.call(.post, "/v1/api-keys/\(issued.key.id)/roll", key: app.adminKey, json: #"{"old_expires_in": 0}"#)
            try await client.call(.get, "/v1/me", key: third).expectError(.unauthorized, code: "api_key_expired")
            try await client.call(.get, "/v1/me", key: new).expectError(.unauthorized, code: "api_key_expired")

            let tooLong = try await client.call(.post, "/v1/api-keys/\(issued.key.id)/roll", key: app.adminKey, json: #"{"old_expires_in": 604801}"#)
            tooLong.expectError(.unprocessableContent, code: "validation_failed")
            #expect(tooLong.errorParam == "old_expires_in")
        }
    }

    @Test(arguments: TestDatabase.all)
    func ipAllowlistsAcceptListedV4AndV6ClientsOnly(database: TestDatabase) async throws {
        try await TestApp.run(on: database, mode: .live, configure: {
            $0.trustedProxies = try! IPAllowlist.parse(["127.0.0.1/32", "::1/128"], param: "p")
        }) { app, client in
            let key = try await app.makeKey(scopes: ["read"], allowedIPs: ["203.0.113.0/24", "2001:db8::/32"]).token.rawValue
            func from(_ forwarded: String) async throws -> TestResponse {
                var headers = HTTPFields()
                headers[HTTPField.Name("X-Forwarded-For")!] = forwarded
                return try await client.call(.get, "/v1/me", key: key, headers: headers)
            }
            #expect(try await from("203.0.113.9").status == .ok)
            #expect(try await from("2001:db8:1::5").status == .ok)
            try await from("198.51.100.1").expectError(.forbidden, code: "ip_not_allowed")
            try await from("2001:db9::1").expectError(.forbidden, code: "ip_not_allowed")
            // A client cannot forge its way in by prepending an address: the proxy appends the real one last.
            try await from("203.0.113.9, 198.51.100.1").expectError(.forbidden, code: "ip_not_allowed")
            // The loopback peer itself is not in the list.
            try await client.call(.get, "/v1/me", key: key).expectError(.forbidden, code: "ip_not_allowed")
        }
    }

    @Test func forwardedForIsIgnoredFromUntrustedPeers() async throws {
        try await TestApp.run(on: .sqlite, mode: .live) { app, client in
            let key = try await app.makeKey(scopes: ["read"], allowedIPs: ["203.0.113.0/24"]).token.rawValue
            var headers = HTTPFields()
            headers[HTTPField.Name("X-Forwarded-For")!] = "203.0.113.9"
            try await client.call(.get, "/v1/me", key: key, headers: headers).expectError(.forbidden, code: "ip_not_allowed")
            let local = try await app.makeKey(scopes: ["read"], allowedIPs: ["127.0.0.0/8", "::1"])
            #expect(try await client.call(.get, "/v1/me", key: local.token.rawValue).status == .ok)
            // Reading usage writes the pending counts first, so the last use and its address are there at once.
            _ = try await client.call(.get, "/v1/api-keys/\(local.key.id)/usage", key: app.adminKey)
            let shown = try await client.call(.get, "/v1/api-keys/\(local.key.id)", key: app.adminKey)
            #expect(shown.json["last_used_ip"] as? String == "127.0.0.1")
        }
    }
}
