import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SmartMailsCore
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
            let huge = "{\"name\":\"" + String(repeating: "a", count: 1_100_000) + "\",\"scopes\":[\"read\"]}"
            try await client.call(.post, "/v1/api-keys", key: app.adminKey, json: huge).expectError(.contentTooLarge, code: "payload_too_large")
        }
    }

    @Test func openAPIDocumentListsEveryOperationTheServerRoutes() async throws {
        try await TestApp.run(on: .sqlite) { _, client in
            let spec = try await client.call(.get, "/openapi.json", key: nil)
            #expect(spec.status == .ok)
            let paths = try #require(spec.json["paths"] as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, item in
                item.keys.filter { ["get", "post", "patch", "delete"].contains($0) }.map { "\($0.uppercased()) \(path)" }
            })
            let served: Set<String> = [
                "GET /v1/me", "GET /v1/api-keys", "POST /v1/api-keys", "GET /v1/api-keys/{id}", "PATCH /v1/api-keys/{id}",
                "DELETE /v1/api-keys/{id}", "POST /v1/api-keys/{id}/roll", "GET /v1/api-keys/{id}/usage", "GET /v1/audit-log",
                "GET /healthz", "GET /readyz", "GET /metrics",
            ]
            #expect(documented == served)
            for (_, item) in paths {
                for (method, operation) in item where method != "parameters" {
                    let operation = operation as? [String: Any] ?? [:]
                    if (operation["tags"] as? [String])?.first != "Operations" {
                        #expect(operation["x-required-scope"] is String, "\(method) lacks x-required-scope")
                    }
                }
            }
            let docs = try await client.call(.get, "/docs", key: nil)
            #expect(docs.status == .ok && String(buffer: docs.body).contains("/openapi.json"))
        }
    }
}
