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

@Suite struct RateLimitTests {
    @Test(arguments: TestDatabase.all)
    func exactlyTheAllowedNumberOfConcurrentRequestsSucceed(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let key = try await app.makeKey(scopes: ["read"], rateLimit: .init(requests: 10, perSeconds: 3600)).token.rawValue
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<40 { group.addTask { try await client.call(.get, "/v1/me", key: key).status } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 10)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 30)
            // Another key is not affected.
            #expect(try await client.call(.get, "/v1/me", key: app.adminKey).status == .ok)
        }
    }

    @Test func headersDescribeThePolicyAndA429SaysWhenToRetry() async throws {
        try await TestApp.run(on: .sqlite) { app, client in
            let key = try await app.makeKey(scopes: ["read"], rateLimit: .init(requests: 2, perSeconds: 60)).token.rawValue
            let first = try await client.call(.get, "/v1/me", key: key)
            #expect(first.header("RateLimit-Policy") == #""key";q=2;w=60"#)
            #expect(first.header("RateLimit") == #""key";r=1;t=30"#)
            #expect(first.header("X-RateLimit-Limit") == "2")
            #expect(first.header("X-RateLimit-Remaining") == "1")
            #expect(first.header("X-RateLimit-Reset") == "30")
            // Errors of an authenticated key carry the headers too, and count against the limit.
            let forbidden = try await client.call(.get, "/v1/audit-log", key: key)
            #expect(forbidden.status == .forbidden && forbidden.header("X-RateLimit-Remaining") == "0")
            let limited = try await client.call(.get, "/v1/me", key: key)
            limited.expectError(.tooManyRequests, code: "rate_limited")
            // 30 s after the first request, less the time the three requests took (a loaded machine can take a second).
            #expect(limited.header("Retry-After").flatMap(Int.init).map { (28...30).contains($0) } == true, "Retry-After \(limited.header("Retry-After") ?? "missing")")
            #expect(limited.header("X-RateLimit-Remaining") == "0")
        }
    }
}
