import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SmartMailsAPI
import SmartMailsCore
import SmartMailsApp
import SmartMailsServer
import SmartMailsStore
import SmartMailsTestSupport
import Testing

@Suite struct AccountTests {
    @Test(arguments: TestDatabase.all)
    func meMatchesTheSchemaAndFollowsChangesToTheKeyAtOnce(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let issued = try await app.makeKey(scopes: ["read"])
            let first = try await client.call(.get, "/v1/me", key: issued.token.rawValue)
            #expect(first.status == .ok && first.headers[.contentType]?.hasPrefix("application/json") == true)
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let me = try decoder.decode(Components.Schemas.Me.self, from: Data(String(buffer: first.body).utf8))
            #expect(me.key.id == issued.key.id && me.key.name == "test key" && me.workspace.slug == "default")
            let readScopes = try ScopeSet.parse(["read"]).scopes.map(\.rawValue)
            #expect(me.key.scopes == readScopes)

            _ = try await client.call(.patch, "/v1/api-keys/\(issued.key.id)", key: app.adminKey, json: #"{"name":"renamed","rate_limit":{"requests":7,"per_seconds":60}}"#)
            let second = try await client.call(.get, "/v1/me", key: issued.token.rawValue)
            let changed = try decoder.decode(Components.Schemas.Me.self, from: Data(String(buffer: second.body).utf8))
            #expect(changed.key.name == "renamed" && changed.key.rateLimit.requests == 7)
        }
    }
}
