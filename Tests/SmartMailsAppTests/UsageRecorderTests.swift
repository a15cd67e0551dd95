import Logging
import SmartMailsCore
import SmartMailsApp
import SmartMailsStore
import SmartMailsTestSupport
import Synchronization
import Testing

/// Metering against the real store: counts recorded from many threads at once, for keys that are verified more than
/// once (two secrets of a rolled key), come out as one row per key, minute and status class.
@Suite struct UsageRecorderTests {
    @Test(arguments: TestDatabase.all)
    func countsFromEveryThreadAndEverySecretOfAKeyAddUp(database: TestDatabase) async throws {
        try await database.withStore { store in
            let workspace = try await Bootstrap.createWorkspace(storage: store, slug: "w", name: "W", ownerEmail: "w@example.com").workspace
            let service = KeyService(store: store)
            let first = try await service.create(workspaceID: workspace.id, name: "a", scopes: .all, mode: .live, by: .system).key
            let second = try await service.create(workspaceID: workspace.id, name: "b", scopes: .all, mode: .live, by: .system).key
            // Two verified keys of one key, as the verifier holds them for a rolled key's old and new secrets.
            let firstViaOldSecret = VerifiedKey(first)
            let firstViaNewSecret = VerifiedKey(first)
            let secondKey = VerifiedKey(second)
            let recorder = UsageRecorder(store: store, logger: Logger(label: "test"))

            let minute = Timestamp(millisecondsSinceEpoch: Timestamp.now.minuteFloor.millisecondsSinceEpoch - 120_000)
            let nextMinute = minute.adding(seconds: 60)
            await withTaskGroup(of: Void.self) { group in
                for task in 0..<40 {
                    group.addTask {
                        for request in 0..<25 {
                            let verified = request.isMultiple(of: 2) ? firstViaOldSecret : firstViaNewSecret
                            let status = request.isMultiple(of: 5) ? 404 : 200
                            let at = (task < 20 ? minute : nextMinute).adding(milliseconds: Int64(request) * 10)
                            recorder.record(verified, status: status, clientAddress: IPAddress("192.0.2.1"), at: at)
                            recorder.record(secondKey, status: 503, clientAddress: nil, at: minute)
                        }
                    }
                }
            }
            // The latest use of the first key, from another address, through its other secret.
            let lastUse = nextMinute.adding(seconds: 30)
            recorder.record(firstViaNewSecret, status: 200, clientAddress: IPAddress("2001:db8::7"), at: lastUse)
            await recorder.flush()

            let firstRows = try await store.usage(keyID: first.id, workspaceID: workspace.id, since: minute)
            // 20 tasks x 25 requests per minute: 5 of every 25 are 404s.
            #expect(firstRows.count == 4)
            #expect(firstRows.filter { $0.minute == minute && $0.statusClass == 2 }.map(\.count) == [400])
            #expect(firstRows.filter { $0.minute == minute && $0.statusClass == 4 }.map(\.count) == [100])
            #expect(firstRows.filter { $0.minute == nextMinute && $0.statusClass == 2 }.map(\.count) == [401])
            #expect(firstRows.filter { $0.minute == nextMinute && $0.statusClass == 4 }.map(\.count) == [100])
            let secondRows = try await store.usage(keyID: second.id, workspaceID: workspace.id, since: minute)
            #expect(secondRows.map(\.count) == [1_000])
            #expect(secondRows.map(\.statusClass) == [5])

            let stored = try await store.key(id: first.id, workspaceID: workspace.id)
            #expect(stored?.lastUsedAt == lastUse)
            #expect(stored?.lastUsedIP == "2001:db8::7")

            // A flush with nothing new writes nothing more; counts are never written twice.
            await recorder.flush()
            #expect(try await store.usage(keyID: second.id, workspaceID: workspace.id, since: minute).map(\.count) == [1_000])
        }
    }

    /// The usage endpoint flushes and then reads. A periodic flush may have taken the counts a moment earlier and still
    /// be writing them: the endpoint's flush must wait for it, or the read finds nothing.
    @Test(arguments: TestDatabase.all)
    func aFlushWaitsForTheFlushUnderWay(database: TestDatabase) async throws {
        try await database.withStore { sqlStore in
            let workspace = try await Bootstrap.createWorkspace(storage: sqlStore, slug: "w", name: "W", ownerEmail: "w@example.com").workspace
            let key = try await KeyService(store: sqlStore).create(workspaceID: workspace.id, name: "a", scopes: .all, mode: .live, by: .system).key
            let store = SlowUsageWrites(sqlStore, delay: .milliseconds(300))
            let recorder = UsageRecorder(store: store, logger: Logger(label: "test"))
            let verified = VerifiedKey(key)
            let minute = Timestamp.now.minuteFloor
            for _ in 0..<5 { recorder.record(verified, status: 200, clientAddress: nil, at: minute) }

            async let periodic: Void = recorder.flush()
            // Until the periodic flush has taken the counts and is writing them.
            for _ in 0..<5_000 where !store.isWriting { try await Task.sleep(for: .milliseconds(1)) }
            #expect(store.isWriting)
            await recorder.flush()
            #expect(try await sqlStore.usage(keyID: key.id, workspaceID: workspace.id, since: minute).map(\.count) == [5])
            await periodic
        }
    }
}

/// The real usage store, with writes that take `delay` and a flag that is up while one is in progress.
private final class SlowUsageWrites: UsageStore {
    let base: any UsageStore
    let delay: Duration
    private let writing = Atomic(false)
    var isWriting: Bool { writing.load(ordering: .acquiring) }

    init(_ base: any UsageStore, delay: Duration) {
        self.base = base
        self.delay = delay
    }

    func recordUsage(_ samples: [UsageSample], lastUses: [KeyLastUse]) async throws {
        writing.store(true, ordering: .releasing)
        defer { writing.store(false, ordering: .releasing) }
        try await Task.sleep(for: delay)
        try await base.recordUsage(samples, lastUses: lastUses)
    }

    func usage(keyID: String, workspaceID: String, since: Timestamp) async throws -> [UsageSample] {
        try await base.usage(keyID: keyID, workspaceID: workspaceID, since: since)
    }
}

