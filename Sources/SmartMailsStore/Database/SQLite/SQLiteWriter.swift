import Logging
import SQLKit
import SQLiteKit
import Synchronization

/// The one connection that writes to the SQLite file, committing transactions in groups.
///
/// Transactions queue here; each turn takes every transaction waiting and runs them in one `BEGIN IMMEDIATE … COMMIT`,
/// each inside a savepoint of its own, so a transaction that fails rolls back alone. Nobody is answered before the
/// commit: with `synchronous = FULL` each commit costs an fsync, and a group pays it once for all its members.
final class SQLiteWriter: Sendable {
    /// What one queued transaction does, and how its caller is told.
    private struct Job: Sendable {
        /// Runs the transaction's statements; the outcome answers the caller once the group is settled.
        let run: @Sendable (any SQLDatabase) async -> Outcome
        /// Answers a caller whose transaction never ran (the group could not start).
        let abandon: @Sendable (any Error) -> Void
    }

    private struct Outcome: Sendable {
        let succeeded: Bool
        /// nil once the group committed; otherwise why it did not. A failed transaction reports its own error.
        let settle: @Sendable ((any Error)?) -> Void
    }

    private struct State {
        var queue: [Job] = []
        var running = false
        var commits = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Bounds a group, so that one commit does not hold its first members back too long.
    private static let maximumGroupSize = 500

    let connection: SQLiteConnection
    private let logger: Logger
    private let state = Mutex(State())

    init(connection: SQLiteConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    var commitCount: Int { state.withLock { $0.commits } }
    /// Transactions waiting for the next group.
    var queuedCount: Int { state.withLock { $0.queue.count } }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(
                run: { database in
                    do {
                        let value = try await body(database)
                        return Outcome(succeeded: true) { error in
                            if let error { continuation.resume(throwing: error) } else { continuation.resume(returning: value) }
                        }
                    } catch {
                        return Outcome(succeeded: false) { _ in continuation.resume(throwing: error) }
                    }
                },
                abandon: { continuation.resume(throwing: $0) }
            )
            let start = state.withLock { state -> Bool in
                state.queue.append(job)
                defer { state.running = true }
                return !state.running
            }
            if start { Task { await self.writeQueuedGroups() } }
        }
    }

    /// Returns once every transaction queued so far has been settled.
    func drain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state -> Bool in
                if state.running { state.idleWaiters.append(continuation) }
                return !state.running
            }
            if idle { continuation.resume() }
        }
    }

    private func writeQueuedGroups() async {
        while true {
            let (group, idleWaiters) = state.withLock { state -> ([Job], [CheckedContinuation<Void, Never>]) in
                guard !state.queue.isEmpty else {
                    state.running = false
                    defer { state.idleWaiters = [] }
                    return ([], state.idleWaiters)
                }
                let count = min(state.queue.count, Self.maximumGroupSize)
                defer { state.queue.removeFirst(count) }
                return (Array(state.queue.prefix(count)), [])
            }
            guard !group.isEmpty else {
                idleWaiters.forEach { $0.resume() }
                return
            }
            await commit(group)
        }
    }

    /// Runs `group` in one transaction and counts the commit before anyone in it is answered.
    @discardableResult
    private func commit(_ group: [Job]) async -> Bool {
        let database = connection.sql(queryLogLevel: .trace)
        var outcomes: [Outcome] = []
        do {
            // IMMEDIATE takes the write lock up front, so another process cannot make the group fail half-way.
            try await database.raw("BEGIN IMMEDIATE").run()
            if group.count == 1 {
                let outcome = await group[0].run(database)
                outcomes.append(outcome)
                guard outcome.succeeded else {
                    try await database.raw("ROLLBACK").run()
                    outcome.settle(nil)
                    return false
                }
            } else {
                for job in group {
                    try await database.raw("SAVEPOINT transaction_in_group").run()
                    let outcome = await job.run(database)
                    outcomes.append(outcome)
                    if !outcome.succeeded { try await database.raw("ROLLBACK TO transaction_in_group").run() }
                    try await database.raw("RELEASE transaction_in_group").run()
                }
            }
            try await database.raw("COMMIT").run()
            state.withLock { $0.commits += 1 }
            outcomes.forEach { $0.settle(nil) }
            return true
        } catch {
            logger.warning("SQLite write group failed", metadata: ["transactions": "\(group.count)", "error": "\(error)"])
            try? await database.raw("ROLLBACK").run()
            outcomes.forEach { $0.settle(error) }
            group.dropFirst(outcomes.count).forEach { $0.abandon(error) }
            return false
        }
    }
}
