import Foundation
import Logging
import SQLKit
import SmartMailsCore
import SmartMailsStore
import SmartMailsTestSupport
import Synchronization
import Testing

/// How the stores' connections behave on both engines: transactions are all or nothing, and on SQLite reads never
/// wait behind a write while concurrent writes share their commits.
@Suite struct DatabaseClientTests {
    private struct Refused: Error {}

    @Test(arguments: TestDatabase.all)
    func aTransactionThatFailsLeavesNothingBehindAndOthersCommit(database: TestDatabase) async throws {
        try await database.withStore { store in
            let client = store.client
            try await client.withAutocommit { try await $0.raw("CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT NOT NULL)").run() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in 0..<40 {
                    group.addTask {
                        do {
                            try await client.withTransaction { database in
                                try await database.raw("INSERT INTO notes (id, body) VALUES (\(bind: id), 'first')").run()
                                try await database.raw("INSERT INTO notes (id, body) VALUES (\(bind: id + 1000), 'second')").run()
                                if id.isMultiple(of: 4) { throw Refused() }
                            }
                            #expect(!id.isMultiple(of: 4))
                        } catch is Refused {
                            #expect(id.isMultiple(of: 4))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let ids = try await client.withReader { database in
                try await database.raw("SELECT id FROM notes ORDER BY id").all().map { try $0.decode(column: "id", as: Int.self) }
            }
            let committed = (0..<40).filter { !$0.isMultiple(of: 4) }
            #expect(ids == committed + committed.map { $0 + 1000 })
        }
    }

    @Test func sqliteReadsDoNotWaitForAWriteInProgress() async throws {
        try await TestDatabase.sqlite.withStore { store in
            let client = store.client
            try await client.withAutocommit { try await $0.raw("CREATE TABLE notes (id BIGINT PRIMARY KEY)").run() }
            try await client.withAutocommit { try await $0.raw("INSERT INTO notes (id) VALUES (1)").run() }
            let gate = Gate()
            let writing = Task {
                try await client.withTransaction { database in
                    try await database.raw("INSERT INTO notes (id) VALUES (2)").run()
                    await gate.wait()
                }
            }
            await gate.waitUntilSomeoneWaits()
            // The write holds the writer and has not committed: a read answers at once, from the last commit.
            let seen = try await client.withReader { database in
                try await database.raw("SELECT COUNT(*) AS n FROM notes").first()?.decode(column: "n", as: Int.self)
            }
            #expect(seen == 1)
            gate.open()
            try await writing.value
            let after = try await client.withReader { database in
                try await database.raw("SELECT COUNT(*) AS n FROM notes").first()?.decode(column: "n", as: Int.self)
            }
            #expect(after == 2)
        }
    }

    @Test func sqliteCommitsWaitingTransactionsTogetherAndDurably() async throws {
        try await TestDatabase.sqlite.withStore { store in
            let client = try #require(store.client as? SQLiteDatabaseClient)
            let synchronous = try await client.withAutocommit { database in
                try await database.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self)
            }
            #expect(synchronous == 2, "synchronous = FULL: a commit is on disk before it is acknowledged")
            try await client.withAutocommit { try await $0.raw("CREATE TABLE notes (id BIGINT PRIMARY KEY)").run() }
            let gate = Gate()
            let holding = Task { try await client.withTransaction { _ in await gate.wait() } }
            await gate.waitUntilSomeoneWaits()
            let commitsBefore = client.commitCount
            // 50 transactions queue behind the one holding the writer; they commit together once it is done.
            let queued = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for id in 0..<50 {
                        group.addTask { try await client.withTransaction { try await $0.raw("INSERT INTO notes (id) VALUES (\(bind: id))").run() } }
                    }
                    try await group.waitForAll()
                }
            }
            for _ in 0..<2_000 where client.queuedTransactionCount < 50 { try await Task.sleep(for: .milliseconds(5)) }
            #expect(client.queuedTransactionCount == 50)
            gate.open()
            try await holding.value
            try await queued.value
            #expect(client.commitCount - commitsBefore == 2, "the held transaction's commit, then one for the 50")
            let count = try await client.withReader { try await $0.raw("SELECT COUNT(*) AS n FROM notes").first()?.decode(column: "n", as: Int.self) }
            #expect(count == 50)
        }
    }
}

/// A one-shot gate: `wait` suspends until `open`.
private final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var arrivals: [CheckedContinuation<Void, Never>] = []
        var hasWaiter = false
    }

    private let state = Mutex(State())

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let (resumeNow, arrivals) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
                state.hasWaiter = true
                defer { state.arrivals = [] }
                if state.isOpen { return (true, state.arrivals) }
                state.waiters.append(continuation)
                return (false, state.arrivals)
            }
            arrivals.forEach { $0.resume() }
            if resumeNow { continuation.resume() }
        }
    }

    /// Returns once some task is waiting at the gate.
    func waitUntilSomeoneWaits() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let arrived = state.withLock { state -> Bool in
                if !state.hasWaiter { state.arrivals.append(continuation) }
                return state.hasWaiter
            }
            if arrived { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isOpen = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }
}
