import SmartMailsCore
import SmartMailsStore
import SmartMailsTestSupport
import Testing

/// The delivery queue's claims on both engines: a claim whose previous lease ran out with no outcome (a node died
/// mid-send, or a SQLite server restarted) is marked as a possible duplicate, and one after a deferral or a graceful
/// hand-back is not.
@Suite struct DeliveryQueueStoreTests {
    static func queue(_ store: SQLStore, _ workspaceID: String, count: Int, at now: Timestamp) async throws -> [String] {
        let content = MessageContent(from: MessageAddress(trusted: "shop@example.com"), to: [MessageAddress(trusted: "ana@example.org")], subject: "Hi", html: nil, text: "x")
        let messages = (0..<count).map { _ in
            let id = ResourceID.make(prefix: Message.idPrefix, at: now)
            return Message(
                id: id, workspaceID: workspaceID, apiKeyID: nil, mode: .live, status: .queued, content: content, tags: [], metadata: [:],
                sendAt: now, messageIDHeader: "<\(id)@example.com>", returnPath: "bounces+\(id)@bounces.example.com", createdAt: now, updatedAt: now
            )
        }
        try await store.insertMessages(messages)
        return messages.map(\.id).sorted()
    }

    static func claim(_ store: SQLStore, _ owner: String, at now: Timestamp) async throws -> [String: Bool] {
        let claimed = try await store.claimDeliveries(owner: owner, limit: 10, now: now, leaseUntil: now.adding(milliseconds: 1_000))
        return Dictionary(uniqueKeysWithValues: claimed.map { ($0.message.id, $0.resumesAbandonedLease) })
    }

    @Test(arguments: TestDatabase.all)
    func aClaimAfterAnAbandonedLeaseIsAPossibleDuplicate(engine: TestDatabase) async throws {
        try await engine.withStore { store in
            let workspace = try await APIKeyStoreTests.makeWorkspace(store, slug: "queue")
            let start = Timestamp.now
            let ids = try await Self.queue(store, workspace.id, count: 3, at: start)
            let (deferred, delivered, held) = (ids[0], ids[1], ids[2])

            #expect(try await Self.claim(store, "node_a", at: start) == [deferred: false, delivered: false, held: false])
            // Outcomes are recorded together; one for a message another node holds is not applied.
            let recorded = try await store.recordDeliveries([
                DeliveryOutcome(
                    messageID: deferred, workspaceID: workspace.id, status: .deferred,
                    event: MessageEvent(kind: .deferred, at: start, detail: "451 try later", nextAttemptAt: start)
                ),
                DeliveryOutcome(messageID: delivered, workspaceID: workspace.id, status: .delivered, event: MessageEvent(kind: .delivered, at: start, detail: "250 ok")),
            ], owner: "node_a")
            #expect(recorded == [deferred, delivered])
            #expect(try await store.recordDeliveries([
                DeliveryOutcome(messageID: held, workspaceID: workspace.id, status: .failed, event: MessageEvent(kind: .failed, at: start))
            ], owner: "node_x").isEmpty)
            let settled = try #require(try await store.message(workspaceID: workspace.id, id: delivered))
            #expect(settled.status == .delivered && settled.events.map(\.kind) == [.queued, .sending, .delivered] && settled.events.last?.detail == "250 ok")
            let retried = try #require(try await store.message(workspaceID: workspace.id, id: deferred))
            #expect(retried.status == .deferred && retried.events.last?.nextAttemptAt == start)
            #expect(try #require(try await store.message(workspaceID: workspace.id, id: held)).status == .sending)

            // node_a dies holding `held`; its lease runs out.
            let later = start.adding(milliseconds: 2_000)
            #expect(try await Self.claim(store, "node_b", at: later) == [deferred: false, held: true])
            let timeline = try #require(try await store.message(workspaceID: workspace.id, id: held)).events
            #expect(timeline.map(\.kind) == [.queued, .sending, .sending])
            #expect(timeline.last?.detail == ClaimedDelivery.abandonedLeaseDetail)
            #expect(try #require(try await store.message(workspaceID: workspace.id, id: deferred)).events.last?.detail == nil)

            // A restarted SQLite server ends every lease at once: both were mid-send.
            try await store.releaseAllLeases()
            #expect(try await Self.claim(store, "node_c", at: later) == [deferred: true, held: true])

            // A graceful shutdown hands them back unsent: no duplicate.
            try await store.releaseDeliveries(owner: "node_c", messageIDs: [deferred, held], at: later)
            #expect(try await Self.claim(store, "node_d", at: later) == [deferred: false, held: false])
        }
    }
}
