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

@Suite struct ScopeAndIsolationTests {
    /// For every operation that names a scope, a key holding every other scope is refused with a 403 naming it,
    /// before anything is read or changed.
    @Test(arguments: TestDatabase.all)
    func everyOperationRequiresItsScope(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let target = try await app.makeKey(scopes: ["contacts:read"])
            let scoped = try await client.documentedOperations().filter { $0.requiredScope != nil }
            #expect(!scoped.isEmpty)
            for operation in scoped {
                let required = try #require(Scope(rawValue: operation.requiredScope!), "\(operation) names an unknown scope")
                // Every scope but the required one and those that would include it.
                let others = Scope.allCases.filter { !ScopeSet([$0]).contains(required) }.map(\.rawValue)
                let weak = try await app.makeKey(scopes: others, rateLimit: .init(requests: 1000, perSeconds: 60)).token.rawValue
                let response = try await client.call(operation.method, operation.path(id: target.key.id), key: weak, json: operation.takesBody ? "{}" : nil)
                response.expectError(.forbidden, code: "insufficient_scope")
                #expect(response.errorParam == required.rawValue, "\(operation)")
                #expect(response.errorMessage.contains(required.rawValue), "\(operation)")
            }
            // Operations that need no scope take any valid key (/v1/me) or none at all (/healthz).
            for operation in try await client.documentedOperations() where operation.requiredScope == nil && !operation.path.contains("{") {
                let key = operation.isPublic ? nil : target.token.rawValue
                let status = try await client.call(operation.method, operation.path, key: key).status
                #expect(status == .ok, "\(operation) answered \(status)")
            }
            // keys:read is enough to read but not to change, and nothing changed while being refused.
            let reader = try await app.makeKey(scopes: ["keys:read"]).token.rawValue
            #expect(try await client.call(.get, "/v1/api-keys/\(target.key.id)", key: reader).status == .ok)
            try await client.call(.post, "/v1/api-keys/\(target.key.id)/revoke", key: reader).expectError(.forbidden, code: "insufficient_scope")
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
            let other = try await Bootstrap.createWorkspace(storage: app.store, slug: "other", name: "Other", ownerEmail: "o@example.com").workspace
            let otherAdmin = try await app.makeKey(scopes: ["admin"], workspaceID: other.id).token.rawValue
            let mine = try await app.makeKey(scopes: ["read"])

            let addressed = try await client.documentedOperations().filter { $0.path.contains("{id}") }
            #expect(!addressed.isEmpty)
            let myOwner = try #require(try await app.store.account(email: "owner@example.com"))
            for operation in addressed {
                // Each resource's own ids, with a body that decodes, so that only the workspace can be the reason.
                let isMember = operation.path.hasPrefix("/v1/members")
                let id = isMember ? myOwner.id : mine.key.id
                let body = operation.takesBody ? (isMember ? #"{"role":"viewer"}"# : "{}") : nil
                let response = try await client.call(operation.method, operation.path(id: id), key: otherAdmin, json: body)
                response.expectError(.notFound, code: "not_found")
                #expect(!String(buffer: response.body).contains(mine.key.name) && !String(buffer: response.body).contains(myOwner.email), "\(operation)")
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
