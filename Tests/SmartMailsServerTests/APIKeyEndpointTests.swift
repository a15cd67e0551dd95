import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SmartMailsCore
import SmartMailsApp
import SmartMailsServer
import SmartMailsStore
import SmartMailsTestSupport
import Testing

@Suite struct APIKeyEndpointTests {
    @Test(arguments: TestDatabase.all)
    func createShowsTheSecretOnceAndStoresOnlyItsHash(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let created = try await client.call(.post, "/v1/api-keys", key: app.adminKey, json: """
                {"name":"Shop sync","scopes":["contacts:write","messages:send"],"allowed_ips":["203.0.113.0/24","2001:db8::/32"],
                 "rate_limit":{"requests":120,"per_seconds":60},"expires_at":"2030-01-01T00:00:00Z"}
                """)
            #expect(created.status == .created)
            let secret = try #require(created.json["secret"] as? String)
            let id = try #require(created.json["id"] as? String)
            #expect(secret.hasPrefix("sm_live_") && secret.count == 46)
            #expect(created.json["scopes"] as? [String] == ["contacts:read", "contacts:write", "messages:send"])
            #expect(created.json["allowed_ips"] as? [String] == ["203.0.113.0/24", "2001:db8::/32"])
            // Written as a person would read it: JSON does not need `/` escaped.
            #expect(String(buffer: created.body).contains(#"["203.0.113.0/24","2001:db8::/32"]"#))
            #expect(created.json["expires_at"] as? String == "2030-01-01T00:00:00Z")

            let shown = try await client.call(.get, "/v1/api-keys/\(id)", key: app.adminKey)
            #expect(shown.json["secret"] == nil)
            #expect(shown.json["prefix"] as? String == String(secret.prefix(12)))
            #expect(shown.json["last4"] as? String == String(secret.suffix(4)))
            let listed = String(buffer: try await client.call(.get, "/v1/api-keys", key: app.adminKey).body)
            #expect(!listed.contains(secret) && !listed.contains(app.adminKey))
            let stored = try #require(try await app.store.keyForSecret(hash: APIKeyHash(token: secret)))
            #expect(stored.key.id == id)

            // The router test client has no peer address, so an allowlisted key must be refused; lifting the list admits it.
            try await client.call(.get, "/v1/me", key: secret).expectError(.forbidden, code: "ip_not_allowed")
            _ = try await client.call(.patch, "/v1/api-keys/\(id)", key: app.adminKey, json: #"{"allowed_ips":[]}"#)
            let me = try await client.call(.get, "/v1/me", key: secret)
            #expect(me.status == .ok && me.header("X-RateLimit-Limit") == "120")
        }
    }

    @Test(arguments: TestDatabase.all)
    func invalidInputIsRefusedWithTheOffendingParameter(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let cases: [(String, HTTPResponse.Status, String, String?)] = [
                (#"{"name":"x","scopes":["read","contacts:delete"]}"#, .badRequest, "invalid_value", "scopes[1]"),
                (#"{"name":"x","scopes":[]}"#, .unprocessableContent, "validation_failed", "scopes"),
                (#"{"name":"   ","scopes":["read"]}"#, .unprocessableContent, "validation_failed", "name"),
                (#"{"name":"x","scopes":["read"],"allowed_ips":["10.0.0.0/8","10.0.0.0/40"]}"#, .unprocessableContent, "validation_failed", "allowed_ips[1]"),
                (#"{"name":"x","scopes":["read"],"rate_limit":{"requests":0,"per_seconds":60}}"#, .unprocessableContent, "validation_failed", "rate_limit.requests"),
                (#"{"name":"x","scopes":["read"],"expires_at":"2001-01-01T00:00:00Z"}"#, .unprocessableContent, "validation_failed", "expires_at"),
                (#"{"scopes":["read"]}"#, .badRequest, "missing_parameter", "name"),
                (#"{"name":"x","scopes":"read"}"#, .badRequest, "invalid_type", "scopes"),
                (#"{"name":"x","scopes":["read"],"admin":true}"#, .badRequest, "unknown_parameter", nil),
                (#"{"name": "#, .badRequest, "invalid_json", nil),
                // Valid JSON whose number does not fit an integer field is a type error, not malformed JSON.
                (#"{"name":"x","scopes":["read"],"rate_limit":{"requests":2.5,"per_seconds":60}}"#, .badRequest, "invalid_type", "rate_limit.requests"),
                (#"{"name":"x","scopes":["read"],"rate_limit":{"requests":1e30,"per_seconds":60}}"#, .badRequest, "invalid_type", "rate_limit.requests"),
                // A null is not an absent field: the spec declares no nullable field here.
                (#"{"name":"x","scopes":["read"],"mode":null}"#, .badRequest, "invalid_type", "mode"),
                (#"{"name":"x","scopes":["read"],"rate_limit":{"requests":null,"per_seconds":60}}"#, .badRequest, "invalid_type", "rate_limit.requests"),
                (#"{"name":"x","scopes":["read"],"expires_at":"next week"}"#, .badRequest, "invalid_value", nil),
            ]
            for (body, status, code, param) in cases {
                let response = try await client.call(.post, "/v1/api-keys", key: app.adminKey, json: body)
                response.expectError(status, code: code)
                if let param { #expect(response.errorParam == param, "\(body)") }
            }
            // Nothing was half-written: only the first-start key exists.
            let list = try await client.call(.get, "/v1/api-keys", key: app.adminKey)
            #expect((list.json["data"] as? [Any])?.count == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func patchChangesOnlyWhatIsSentAndAppliesAtOnce(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let issued = try await app.makeKey(scopes: ["read", "audit:read"])
            #expect(try await client.call(.get, "/v1/audit-log", key: issued.token.rawValue).status == .ok)
            let patched = try await client.call(.patch, "/v1/api-keys/\(issued.key.id)", key: app.adminKey, json: #"{"scopes":["read"],"rate_limit":{"requests":5,"per_seconds":60}}"#)
            #expect(patched.status == .ok)
            #expect(patched.json["name"] as? String == "test key")
            try await client.call(.get, "/v1/audit-log", key: issued.token.rawValue).expectError(.forbidden, code: "insufficient_scope")
            #expect(try await client.call(.get, "/v1/me", key: issued.token.rawValue).header("X-RateLimit-Limit") == "5")

            let expiring = try await client.call(.patch, "/v1/api-keys/\(issued.key.id)", key: app.adminKey, json: #"{"expires_at":"2031-05-01T10:00:00Z"}"#)
            #expect(expiring.json["expires_at"] as? String == "2031-05-01T10:00:00Z")
            let forever = try await client.call(.patch, "/v1/api-keys/\(issued.key.id)", key: app.adminKey, json: #"{"remove_expiry":true}"#)
            #expect(forever.json["expires_at"] == nil)

            _ = try await client.call(.post, "/v1/api-keys/\(issued.key.id)/revoke", key: app.adminKey)
            // A revoked key is still there to read, and refuses every change with what happened to it.
            for (method, path, body) in [(HTTPRequest.Method.patch, "", #"{"name":"again"}"#), (.post, "/roll", "{}"), (.post, "/revoke", "")] {
                let refused = try await client.call(method, "/v1/api-keys/\(issued.key.id)\(path)", key: app.adminKey, json: body.isEmpty ? nil : body)
                refused.expectError(.conflict, code: "key_already_revoked")
                #expect(refused.errorMessage.contains("was revoked at"))
            }
            let read = try await client.call(.get, "/v1/api-keys/\(issued.key.id)", key: app.adminKey)
            #expect(read.status == .ok && read.json["status"] as? String == "revoked")
            try await client.call(.get, "/v1/api-keys/key_doesnotexist", key: app.adminKey).expectError(.notFound, code: "not_found")
        }
    }

    @Test(arguments: TestDatabase.all)
    func listsPageAfterTheLastIdOfThePreviousPage(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            for _ in 0..<4 { _ = try await app.makeKey(scopes: ["read"]) }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let path = "/v1/api-keys?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await client.call(.get, path, key: app.adminKey)
                let ids = (page.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                seen += ids
                cursor = page.json["next_cursor"] as? String
                if let cursor { #expect(cursor == ids.last) }
                #expect((page.json["has_more"] as? Bool) == (cursor != nil))
            } while cursor != nil
            #expect(seen.count == 5 && Set(seen).count == 5 && seen == seen.sorted(by: >))
            try await client.call(.get, "/v1/api-keys?cursor=bogus", key: app.adminKey).expectError(.badRequest, code: "invalid_cursor")
            // Another list's id is no cursor here; any well-formed key id is, even of a key that does not exist.
            try await client.call(.get, "/v1/api-keys?cursor=aud_\(seen[0].dropFirst(4))", key: app.adminKey).expectError(.badRequest, code: "invalid_cursor")
            let fromTheTop = try await client.call(.get, "/v1/api-keys?cursor=key_zzzzzzzzzzzzzzzzzzzzzzzzzz", key: app.adminKey)
            #expect(fromTheTop.status == .ok && (fromTheTop.json["data"] as? [Any])?.count == 5)
            try await client.call(.get, "/v1/api-keys?limit=101", key: app.adminKey).expectError(.badRequest, code: "invalid_limit")
        }
    }

    @Test(arguments: TestDatabase.all)
    func auditLogRecordsEveryChangeWithActorAndAddress(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let created = try await client.call(.post, "/v1/api-keys", key: app.adminKey, json: #"{"name":"a","scopes":["read"]}"#)
            let id = try #require(created.json["id"] as? String)
            _ = try await client.call(.patch, "/v1/api-keys/\(id)", key: app.adminKey, json: #"{"name":"b"}"#)
            let rolled = try await client.call(.post, "/v1/api-keys/\(id)/roll", key: app.adminKey)
            _ = try await client.call(.post, "/v1/api-keys/\(id)/revoke", key: app.adminKey)
            let secrets = [created.json["secret"] as? String, rolled.json["secret"] as? String].compactMap { $0 }
            #expect(secrets.count == 2)
            let log = try await client.call(.get, "/v1/audit-log?target_id=\(id)", key: app.adminKey)
            let events = log.json["data"] as? [[String: Any]] ?? []
            #expect(events.compactMap { $0["action"] as? String } == ["api_key.revoked", "api_key.rolled", "api_key.updated", "api_key.created"])
            let adminID = (try await client.call(.get, "/v1/me", key: app.adminKey).json["key"] as? [String: Any])?["id"] as? String
            #expect(events.allSatisfy { $0["actor"] as? String == adminID })
            #expect((events[2]["changes"] as? [String: String])?["name"] == "b")
            #expect(secrets.allSatisfy { !String(buffer: log.body).contains($0) })
            // The spec says at most 64 characters, and the server holds to it.
            try await client.call(.get, "/v1/audit-log?target_id=\(String(repeating: "0", count: 65))", key: app.adminKey)
                .expectError(.badRequest, code: "invalid_value")
        }
    }

    @Test(arguments: TestDatabase.all)
    func usageIsMeteredPerKeyAndStatusClass(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let issued = try await app.makeKey(scopes: ["read"])
            for _ in 0..<3 { _ = try await client.call(.get, "/v1/me", key: issued.token.rawValue) }
            _ = try await client.call(.get, "/v1/audit-log", key: issued.token.rawValue)
            let usage = try await client.call(.get, "/v1/api-keys/\(issued.key.id)/usage", key: app.adminKey)
            #expect(usage.status == .ok)
            #expect(usage.json["total"] as? Int == 4)
            let byClass = usage.json["by_status_class"] as? [String: Int]
            #expect(byClass?["2xx"] == 3 && byClass?["4xx"] == 1)
            #expect((usage.json["minutes"] as? [Any])?.isEmpty == false)
            let shown = try await client.call(.get, "/v1/api-keys/\(issued.key.id)", key: app.adminKey)
            #expect(shown.json["last_used_at"] is String)
        }
    }
}
