import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SmartMailsCore
import SmartMailsApp
import SmartMailsServer
import SmartMailsStore
import SmartMailsTestSupport
import Testing

@Suite struct OperationsTests {
    @Test(arguments: TestDatabase.all)
    func healthReadinessAndMetricsAnswerWithoutAKey(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let health = try await client.call(.get, "/healthz", key: nil)
            #expect(health.status == .ok && health.json["status"] as? String == "ok")
            let ready = try await client.call(.get, "/readyz", key: nil)
            #expect(ready.status == .ok && ready.json["database"] as? String == "ok")

            _ = try await client.call(.get, "/v1/me", key: app.adminKey)
            _ = try await client.call(.get, "/v1/me", key: APIKeyToken.generate(mode: .live).rawValue)
            let metrics = String(buffer: try await client.call(.get, "/metrics", key: nil).body)
            #expect(metrics.contains(#"smartmails_http_requests_total{route="/v1/me",method="GET",status="200"} 1"#))
            #expect(metrics.contains(#"smartmails_auth_failures_total{reason="invalid_api_key"} 1"#))
            #expect(metrics.contains("smartmails_http_request_duration_seconds_bucket"))
            #expect(metrics.contains("smartmails_rate_limited_total 0"))
        }
    }

    @Test func unknownRoutesAndOversizedBodiesGetTheErrorShape() async throws {
        try await TestApp.run(on: .sqlite) { app, client in
            try await client.call(.get, "/v1/nothing-here", key: app.adminKey).expectError(.notFound, code: "route_not_found")
            // A known path with a method it does not take: 405, and Allow names the ones it does (RFC 9110).
            let collection = try await client.call(.delete, "/v1/api-keys", key: app.adminKey)
            collection.expectError(.methodNotAllowed, code: "method_not_allowed")
            #expect(collection.header("Allow") == "GET, HEAD, POST")
            let item = try await client.call(.put, "/v1/api-keys/key_0123", key: app.adminKey)
            item.expectError(.methodNotAllowed, code: "method_not_allowed")
            #expect(item.header("Allow") == "GET, HEAD, PATCH")
            let health = try await client.call(.post, "/healthz", key: nil)
            health.expectError(.methodNotAllowed, code: "method_not_allowed")
            #expect(health.header("Allow") == "GET, HEAD")
            let huge = "{\"name\":\"" + String(repeating: "a", count: 1_100_000) + "\",\"scopes\":[\"read\"]}"
            try await client.call(.post, "/v1/api-keys", key: app.adminKey, json: huge).expectError(.contentTooLarge, code: "payload_too_large")
        }
    }

    /// Every operation the spec documents is routed (none answers `route_not_found`), and the docs page renders it.
    @Test func everyDocumentedOperationIsServed() async throws {
        try await TestApp.run(on: .sqlite) { app, client in
            let target = try await app.makeKey(scopes: ["read"])
            let operations = try await client.documentedOperations()
            for operation in operations {
                let response = try await client.call(
                    operation.method, operation.path(id: target.key.id), key: operation.isPublic ? nil : app.adminKey,
                    json: operation.takesBody ? "{}" : nil
                )
                #expect(response.status != .notFound || response.errorCode == "not_found", "\(operation) is not routed")
                #expect(response.status != .methodNotAllowed, "\(operation) is not routed")
            }
            let docs = try await client.call(.get, "/docs", key: nil)
            #expect(docs.status == .ok && String(buffer: docs.body).contains("/openapi.json"))
            let spec = String(buffer: try await client.call(.get, "/openapi.json", key: nil).body)
            #expect(spec.contains(#""/v1/api-keys/{id}""#) && !spec.contains(#"\/"#))
        }
    }
}
