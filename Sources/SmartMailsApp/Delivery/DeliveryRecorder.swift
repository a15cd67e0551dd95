import SmartMailsCore
import SmartMailsStore

/// Records delivery outcomes in batches: the outcomes that finish while one batch is written go together into the
/// next transaction (group commit), so the writes per message shrink as the send rate grows.
actor DeliveryRecorder {
    private let store: any MessageStore
    private let owner: String
    private var waiting: [(outcome: DeliveryOutcome, done: CheckedContinuation<Bool, any Error>)] = []
    private var writing = false

    init(store: any MessageStore, owner: String) {
        self.store = store
        self.owner = owner
    }

    /// Records the outcome once it is committed; false when the lease was lost and another node's outcome counts.
    func record(_ outcome: DeliveryOutcome) async throws -> Bool {
        try await withCheckedThrowingContinuation { done in
            waiting.append((outcome, done))
            if !writing {
                writing = true
                Task { await writeAll() }
            }
        }
    }

    private func writeAll() async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting = []
            do {
                let held = try await store.recordDeliveries(batch.map(\.outcome), owner: owner)
                for entry in batch { entry.done.resume(returning: held.contains(entry.outcome.messageID)) }
            } catch {
                for entry in batch { entry.done.resume(throwing: error) }
            }
        }
        writing = false
    }
}
