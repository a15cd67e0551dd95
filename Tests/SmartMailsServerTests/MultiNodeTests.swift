import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SmartMailsCore
import SmartMailsApp
import SmartMailsServer
import SmartMailsStore
import SmartMailsTestSupport
import Testing

/// Several `smartmails serve` processes on one PostgreSQL: a key changed through one node must hold on the others
/// at once, although each node serves verified keys from its own cache.
@Suite(.enabled(if: TestDatabase.hasPostgres, "needs two nodes on one PostgreSQL: set SMARTMAILS_TEST_POSTGRES_URL (.ci/run does)"))
struct MultiNodeTests {
    @Test func revocationOnOneNodeHoldsOnTheOtherAtOnce() async throws {
        try await TestDatabase.withTwoNodes { storeA, storeB in
            let created = try #require(try await Bootstrap.ensureDefaultWorkspace(storage: storeA, ownerEmail: "o@example.com"))
            let admin = created.adminKey.token.rawValue
            let issued = try await KeyService(store: storeA).create(
                workspaceID: created.workspace.id, name: "shared", scopes: .all, mode: .live, by: .system
            )
            // Long cache lifetime, so only the notification can explain a fast refusal.
            var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, keyCacheSeconds: 3600)
            configuration.secretKey = SecretBox.generateEncodedKey()
            let nodeA = try buildApplication(configuration: configuration, store: storeA, logger: Logger(label: "a"))
            let nodeB = try buildApplication(configuration: configuration, store: storeB, logger: Logger(label: "b"))
            try await nodeA.test(.router) { clientA in
                try await nodeB.test(.router) { clientB in
                    // Node B caches the key as valid.
                    #expect(try await clientB.call(.get, "/v1/me", key: issued.token.rawValue).status == .ok)
                    // Give node B's listener a moment to be subscribed before the change is made.
                    try await Task.sleep(for: .milliseconds(300))
                    let revoked = try await clientA.call(.post, "/v1/api-keys/\(issued.key.id)/revoke", key: admin)
                    #expect(revoked.status == .ok)
                    var refused = false
                    for _ in 0..<40 where !refused {
                        refused = try await clientB.call(.get, "/v1/me", key: issued.token.rawValue).status == .unauthorized
                        if !refused { try await Task.sleep(for: .milliseconds(25)) }
                    }
                    #expect(refused, "node B still accepted a key revoked on node A")
                    try await clientB.call(.get, "/v1/me", key: issued.token.rawValue).expectError(.unauthorized, code: "api_key_revoked")
                }
            }
        }
    }

    /// The delivery queue's claims (`FOR UPDATE SKIP LOCKED`) from two nodes working at once: every one of 20,000
    /// queued messages is claimed exactly once, and both nodes get a share.
    @Test func twoNodesShareOneQueueAndNoMessageIsClaimedTwice() async throws {
        try await TestDatabase.withTwoNodes { storeA, storeB in
            let created = try #require(try await Bootstrap.ensureDefaultWorkspace(storage: storeA, ownerEmail: "o@example.com"))
            let now = Timestamp.now
            let content = MessageContent(from: MessageAddress(trusted: "shop@example.com"), to: [MessageAddress(trusted: "ana@example.org")], subject: "Hi", html: nil, text: "x")
            for _ in 0..<20 {
                let messages = (0..<1_000).map { _ in
                    let id = ResourceID.make(prefix: Message.idPrefix, at: now)
                    return Message(
                        id: id, workspaceID: created.workspace.id, apiKeyID: nil, mode: .live, status: .queued, content: content, tags: [], metadata: [:],
                        sendAt: now, messageIDHeader: "<\(id)@example.com>", returnPath: "bounces+\(id)@bounces.example.com", createdAt: now, updatedAt: now
                    )
                }
                try await storeA.insertMessages(messages)
            }
            let drain: @Sendable (SQLStore, String) async throws -> [String] = { store, owner in
                var claimed: [String] = []
                while true {
                    let at = Timestamp.now
                    let batch = try await store.claimDeliveries(owner: owner, limit: 64, now: at, leaseUntil: at.adding(milliseconds: 600_000))
                    if batch.isEmpty { return claimed }
                    claimed += batch.map(\.message.id)
                }
            }
            async let byA = drain(storeA, "node_a")
            async let byB = drain(storeB, "node_b")
            let (a, b) = try await (byA, byB)
            #expect(a.count + b.count == 20_000)
            #expect(Set(a).isDisjoint(with: Set(b)) && Set(a + b).count == 20_000, "a message was claimed by both nodes")
            #expect(a.count > 1_000 && b.count > 1_000, "one node did (nearly) all the work: A \(a.count), B \(b.count)")
        }
    }

    @Test func aKeysRateLimitHoldsAcrossNodes() async throws {
        try await TestDatabase.withTwoNodes { storeA, storeB in
            let created = try #require(try await Bootstrap.ensureDefaultWorkspace(storage: storeA, ownerEmail: "o@example.com"))
            let key = try await KeyService(store: storeA).create(
                workspaceID: created.workspace.id, name: "limited", scopes: .all, mode: .live,
                rateLimit: RateLimitPolicy(requests: 10, perSeconds: 3600), by: .system
            ).token.rawValue
            var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.secretKey = SecretBox.generateEncodedKey()
            let nodeA = try buildApplication(configuration: configuration, store: storeA, logger: Logger(label: "a"))
            let nodeB = try buildApplication(configuration: configuration, store: storeB, logger: Logger(label: "b"))
            try await nodeA.test(.router) { clientA in
                try await nodeB.test(.router) { clientB in
                    let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                        for index in 0..<30 {
                            let client = index.isMultiple(of: 2) ? clientA : clientB
                            group.addTask { try await client.call(.get, "/v1/me", key: key).status }
                        }
                        return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
                    }
                    // Per-node limiting would admit 10 on each node, 20 in all.
                    #expect(statuses.filter { $0 == .ok }.count == 10)
                    #expect(statuses.filter { $0 == .tooManyRequests }.count == 20)
                    let limited = try await clientB.call(.get, "/v1/me", key: key)
                    limited.expectError(.tooManyRequests, code: "rate_limited")
                    #expect(limited.header("Retry-After").flatMap(Int.init).map { $0 > 0 && $0 <= 360 } == true)
                }
            }
        }
    }
}
