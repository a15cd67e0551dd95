import Logging
import SmartMailsCore
import SmartMailsStore
import Synchronization

/// Counts requests per key, minute and status class in memory and writes them in batches, so metering costs a
/// request one locked dictionary update instead of a database write.
final class UsageRecorder: Sendable {
    private struct BucketKey: Hashable {
        let keyID: String
        let workspaceID: String
        let minute: Int64
        let statusClass: Int
    }

    private struct Pending {
        var counts: [BucketKey: Int] = [:]
        var lastUses: [String: (at: Timestamp, address: IPAddress?)] = [:]
    }

    private let pending = Mutex(Pending())
    private let store: any UsageStore
    private let logger: Logger

    init(store: any UsageStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    func record(keyID: String, workspaceID: String, status: Int, clientAddress: IPAddress?, at now: Timestamp = .now) {
        let bucket = BucketKey(keyID: keyID, workspaceID: workspaceID, minute: now.minuteFloor.millisecondsSinceEpoch, statusClass: status / 100)
        pending.withLock { pending in
            pending.counts[bucket, default: 0] += 1
            pending.lastUses[keyID] = (now, clientAddress)
        }
    }

    /// Writes what has accumulated. On failure the counts are put back, so a database hiccup loses nothing.
    func flush() async {
        let batch = pending.withLock { pending -> Pending in
            let taken = pending
            pending = Pending()
            return taken
        }
        guard !batch.counts.isEmpty || !batch.lastUses.isEmpty else { return }
        let samples = batch.counts.map { key, count in
            UsageSample(keyID: key.keyID, workspaceID: key.workspaceID, minute: Timestamp(millisecondsSinceEpoch: key.minute), statusClass: key.statusClass, count: count)
        }
        do {
            let lastUses = batch.lastUses.map { keyID, use in KeyLastUse(keyID: keyID, at: use.at, ip: use.address?.description) }
            try await store.recordUsage(samples, lastUses: lastUses)
        } catch {
            logger.warning("usage flush failed; will retry", metadata: ["error": "\(error)"])
            pending.withLock { pending in
                for (key, count) in batch.counts { pending.counts[key, default: 0] += count }
                for (keyID, use) in batch.lastUses where pending.lastUses[keyID] == nil {
                    pending.lastUses[keyID] = use
                }
            }
        }
    }
}
