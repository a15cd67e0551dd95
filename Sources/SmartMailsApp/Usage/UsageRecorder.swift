import Logging
import SmartMailsCore
import SmartMailsStore
import Synchronization

/// Counts requests per key, minute and status class in memory and writes them in batches, so metering costs a
/// request one dictionary update instead of a database write.
public final class UsageRecorder: Sendable {
    private struct BucketKey: Hashable {
        let keyID: String
        let minute: Int64
        let statusClass: Int
    }

    private struct LastUse {
        var at: Timestamp
        /// Kept as an address and turned into text once per batch, not once per request.
        var address: IPAddress?
    }

    private struct Pending {
        /// Counts with the workspace each key belongs to.
        var buckets: [BucketKey: (workspaceID: String, count: Int)] = [:]
        var lastUses: [String: LastUse] = [:]

        var isEmpty: Bool { buckets.isEmpty && lastUses.isEmpty }

        /// Adds `other`'s counts; of two last uses of one key, the later one stays.
        mutating func merge(_ other: Pending) {
            for (key, bucket) in other.buckets {
                buckets[key, default: (bucket.workspaceID, 0)].count += bucket.count
            }
            for (keyID, use) in other.lastUses where lastUses[keyID].map({ $0.at < use.at }) ?? true {
                lastUses[keyID] = use
            }
        }
    }

    private let pending = Mutex(Pending())
    /// One flush at a time: a caller that flushes and then reads (the usage endpoint) must find in storage everything
    /// recorded before its call, also what a periodic flush running at that moment took and has not written yet.
    private let flushes = AsyncLock()
    private let store: any UsageStore
    private let logger: Logger

    public init(store: any UsageStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func record(_ key: VerifiedKey, status: Int, clientAddress: IPAddress?, at now: Timestamp = .now) {
        let bucket = BucketKey(keyID: key.id, minute: now.minuteFloor.millisecondsSinceEpoch, statusClass: status / 100)
        pending.withLock { pending in
            pending.buckets[bucket, default: (key.workspaceID, 0)].count += 1
            if pending.lastUses[key.id].map({ $0.at <= now }) ?? true {
                pending.lastUses[key.id] = LastUse(at: now, address: clientAddress)
            }
        }
    }

    /// Writes what has accumulated, after any flush already under way. On failure the counts are put back, so a
    /// database hiccup loses nothing.
    public func flush() async {
        // `withLock` throws only what its body throws, and this body throws nothing.
        try? await flushes.withLock { await self.writePending() }
    }

    private func writePending() async {
        let batch = pending.withLock { pending -> Pending in
            defer { pending = Pending() }
            return pending
        }
        guard !batch.isEmpty else { return }
        let samples = batch.buckets.map { key, bucket in
            UsageSample(
                keyID: key.keyID, workspaceID: bucket.workspaceID, minute: Timestamp(millisecondsSinceEpoch: key.minute),
                statusClass: key.statusClass, count: bucket.count
            )
        }
        do {
            let lastUses = batch.lastUses.map { KeyLastUse(keyID: $0.key, at: $0.value.at, ip: $0.value.address?.description) }
            try await store.recordUsage(samples, lastUses: lastUses)
        } catch {
            logger.warning("usage flush failed; will retry", metadata: ["error": "\(error)"])
            pending.withLock { $0.merge(batch) }
        }
    }
}
