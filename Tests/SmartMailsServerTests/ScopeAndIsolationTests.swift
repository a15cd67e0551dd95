import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SmartMailsCore
import SmartMailsServer
import SmartMailsStore
import SmartMailsTestSupport
import Testing

@Suite struct ScopeAndIsolationTests {
    /// Every operation of the API with the scope it documents (`x-required-scope`).
    static func operations(keyID: String) -> [(HTTPRequest.Method, String, String?, String)] {
        [
            (.get, "/v1/api-keys", nil, "keys:read"),
            (.post, "/v1/api-keys", #"{"name":"n","scopes":["read"]}"#, "keys:admin"),
            (.get, "/v1/api-keys/\(keyID)", nil, "keys:read"),
            (.patch, "/v1/api-keys/\(keyID)", #"{"name":"renamed"}"#, "keys:admin"),
            (.delete, "/v1/api-keys/\(keyID)", nil, "keys:admin"),
            (.post, "/v1/api-keys/\(keyID)/roll", nil, "keys:admin"),
            (.get, "/v1/api-keys/\(keyID)/usage", nil, "keys:read"),
            (.get, "/v1/audit-log", nil, "audit:read"),
        ]
    }

    @Test(arguments: TestDatabase.all)
    func everyOperationRequiresItsScope(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let target = try await app.makeKey(scopes: ["contacts:read"])
            let weak = try await app.makeKey(scopes: ["contacts:read", "messages:send"], rateLimit: .init(requests: 1000, perSeconds: 60)).token.rawValue
            for (method, path, body, scope) in Self.operations(keyID: target.key.id) {
                let response = try await client.call(method, path, key: weak, json: body)
                response.expectError(.forbidden, code: "insufficient_scope")
                #expect(response.errorParam == scope, "\(method) \(path)")
                #expect(response.errorMessage.contains(scope))
            }
            // /v1/me needs no scope: any valid key may check itself.
            #expect(try await client.call(.get, "/v1/me", key: weak).status == .ok)
            // keys:read is enough to read but not to change.
            let reader = try await app.makeKey(scopes: ["keys:read"]).token.rawValue
            #expect(try await client.call(.get, "/v1/api-keys/\(target.key.id)", key: reader).status == .ok)
            try await client.call(.delete, "/v1/api-keys/\(target.key.id)", key: reader).expectError(.forbidden, code: "insufficient_scope")
            // Nothing changed while being refused.
            #expect(try await client.call(.get, "/v1/me", key: target.token.rawValue).status == .ok)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aKeyCannotCreateOrTakeOverMorePowerfulKeys(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let keyAdmin = try await app.makeKey(scopes: ["keys:admin", "contacts:read"]).token.rawValue
            let escalate = try await client.call(.post, "/v1/api-keys", key: keyAdmin, json: #"{"name":"x","scopes":["contacts:read","messages:send"]}"#)
            escalate.expectError(.forbidden, code: "scope_not_grantable")
            #expect(escalate.errorMessage.contains("messages:send"))
            let allowed = try await client.call(.post, "/v1/api-keys", key: keyAdmin, json: #"{"name":"x","scopes":["contacts:read"]}"#)
            #expect(allowed.status == .created)

            // Rolling would hand over a working secret of the admin key: refused. Revoking it is allowed.
            let adminID = try #require((try await client.call(.get, "/v1/me", key: app.adminKey).json["key"] as? [String: Any])?["id"] as? String)
            try await client.call(.post, "/v1/api-keys/\(adminID)/roll", key: keyAdmin).expectError(.forbidden, code: "scope_not_grantable")
            try await client.call(.patch, "/v1/api-keys/\(adminID)", key: keyAdmin, json: #"{"name":"mine"}"#).expectError(.forbidden, code: "scope_not_grantable")

            let sandbox = try await app.makeKey(scopes: ["admin"], mode: .test).token.rawValue
            try await client.call(.post, "/v1/api-keys", key: sandbox, json: #"{"name":"x","scopes":["read"],"mode":"live"}"#)
                .expectError(.forbidden, code: "mode_not_grantable")
            let defaulted = try await client.call(.post, "/v1/api-keys", key: sandbox, json: #"{"name":"x","scopes":["read"]}"#)
            #expect((defaulted.json["secret"] as? String)?.hasPrefix("sm_test_") == true)
        }
    }

    @Test(arguments: TestDatabase.all)
    func workspacesNeverSeeEachOther(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let other = try await Bootstrap.createWorkspace(storage: app.store, slug: "other", name: "Other", ownerEmail: "o@example.com")
            let otherAdmin = try await app.makeKey(scopes: ["admin"], workspaceID: other.id).token.rawValue
            let mine = try await app.makeKey(scopes: ["read"])

            for (method, path, body, _) in Self.operations(keyID: mine.key.id) where path.contains(mine.key.id) {
                let response = try await client.call(method, path, key: otherAdmin, json: body)
                response.expectError(.notFound, code: "not_found")
            }
            let list = try await client.call(.get, "/v1/api-keys", key: otherAdmin)
            let ids = (list.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(!ids.contains(mine.key.id) && ids.count == 1)
            let audit = try await client.call(.get, "/v1/audit-log?target_id=\(mine.key.id)", key: otherAdmin)
            #expect((audit.json["data"] as? [Any])?.isEmpty == true)
            // The key of the first workspace still works and is unchanged.
            #expect(try await client.call(.get, "/v1/me", key: mine.token.rawValue).status == .ok)
        }
    }
}
