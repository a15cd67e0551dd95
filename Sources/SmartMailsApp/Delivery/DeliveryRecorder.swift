import SmartMailsCore
import SmartMailsStore

/// Records delivery outcomes in batches off the send path: the outcomes that finish while one batch is written go
/// together into the next transaction (group commit), and a sender goes on to its next message without waiting for
/// the commit, unless `backlog` outcomes already wait. A message's lease covers it until its outcome is committed.
actor DeliveryRecorder {
    typealias Completion = @Sendable (Result<Bool, any Error>) -> Void

    private let store: any MessageStore
    private let owner: String
    private let backlog: Int
    private var waiting: [(outcome: DeliveryOutcome, done: Completion)] = []
    private var writing = false
    private var roomWaiters: [CheckedContinuation<Void, Never>] = []
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []

    init(store: any MessageStore, owner: String, backlog: Int) {
        self.store = store
        self.owner = owner
        self.backlog = max(1, backlog)
    }

    /// Queues the outcome; `done` learns once it is committed whether the lease was still held (false: another
    /// node's outcome counts), or the error that left it unrecorded.
    func submit(_ outcome: DeliveryOutcome, done: @escaping Completion) async {
        while waiting.count >= backlog {
            await withCheckedContinuation { roomWaiters.append($0) }
        }
        waiting.append((outcome, done))
        if !writing {
            writing = true
            Task { await writeAll() }
        }
    }

    /// Returns once every submitted outcome is written (or failed).
    func drain() async {
        guard writing else { return }
        await withCheckedContinuation { drainWaiters.append($0) }
    }

    private func writeAll() async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting = []
            for waiter in roomWaiters { waiter.resume() }
            roomWaiters = []
            do {
                let held = try await store.recordDeliveries(batch.map(\.outcome), owner: owner)
                for entry in batch { entry.done(.success(held.contains(entry.outcome.messageID))) }
            } catch {
                for entry in batch { entry.done(.failure(error)) }
            }
        }
        writing = false
        for waiter in drainWaiters { waiter.resume() }
        drainWaiters = []
    }
}
