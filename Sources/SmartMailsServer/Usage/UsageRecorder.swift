import Logging
import SmartMailsCore
import SmartMailsStore
import Synchronization

/// Counts requests per key, minute and status class in memory and writes them in batches, so metering costs a
/// request one small dictionary update instead of a database write.
///
/// Two choices keep that update cheap when one key is busy on every core. The counts are split over shards picked by
/// the recording thread, so threads rarely take the same lock or write to the same memory; `flush` adds the shards up.
/// And a count is filed under the verified key object, whose identity hashes as one word, not under its id and
/// workspace strings; the strings are read once per batch, when the batch is written.
final class UsageRecorder: Sendable {
    private struct BucketKey: Hashable {
        let key: ObjectIdentifier
        let minute: Int64
        let statusClass: Int
    }

    private struct Bucket {
        /// Held so that the identity in the bucket's key cannot be reused by another object before the flush.
        let key: VerifiedKey
        var count: Int
    }

    private struct LastUse {
        let key: VerifiedKey
        var at: Timestamp
        var address: IPAddress?
    }

    private struct Pending {
        var buckets: [BucketKey: Bucket] = [:]
        var lastUses: [ObjectIdentifier: LastUse] = [:]
    }

    private static let shardBits = 4
    /// Each shard's pending counts.
    private let shards = LockedShard<Pending>.perThread(bits: UsageRecorder.shardBits) { Pending() }
    /// One flush at a time: a caller that flushes and then reads (the usage endpoint) must find in storage everything
    /// recorded before its call, also what a periodic flush running at that moment took and has not written yet.
    private let flushes = AsyncLock()
    private let store: any UsageStore
    private let logger: Logger

    init(store: any UsageStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    func record(_ key: VerifiedKey, status: Int, clientAddress: IPAddress?, at now: Timestamp = .now) {
        let bucket = BucketKey(key: ObjectIdentifier(key), minute: now.minuteFloor.millisecondsSinceEpoch, statusClass: status / 100)
        shards[ThreadShards.index(bits: Self.shardBits)].state.withLock { pending in
            // One lookup each: the default is built only when the entry is new.
            pending.buckets[bucket, default: Bucket(key: key, count: 0)].count += 1
            Self.update(&pending.lastUses[bucket.key, default: LastUse(key: key, at: now, address: clientAddress)], at: now, address: clientAddress)
        }
    }

    private static func update(_ use: inout LastUse, at now: Timestamp, address: IPAddress?) {
        use.at = now
        use.address = address
    }

    /// Writes what has accumulated, after any flush already under way. On failure the counts are put back, so a
    /// database hiccup loses nothing.
    func flush() async {
        // `withLock` throws only what its body throws, and this body throws nothing.
        try? await flushes.withLock { await self.writePending() }
    }

    private func writePending() async {
        var batch = Pending()
        for shard in shards {
            let taken = shard.state.withLock { pending -> Pending in
                defer { pending = Pending() }
                return pending
            }
            Self.merge(taken, into: &batch)
        }
        guard !batch.buckets.isEmpty || !batch.lastUses.isEmpty else { return }
        do {
            try await store.recordUsage(Self.samples(of: batch), lastUses: Self.lastUses(of: batch))
        } catch {
            logger.warning("usage flush failed; will retry", metadata: ["error": "\(error)"])
            shards[0].state.withLock { Self.merge(batch, into: &$0) }
        }
    }

    /// Adds `other`'s counts to `pending`; of two last uses of one key, the later one stays.
    private static func merge(_ other: Pending, into pending: inout Pending) {
        for (bucketKey, bucket) in other.buckets {
            pending.buckets[bucketKey, default: Bucket(key: bucket.key, count: 0)].count += bucket.count
        }
        for (identity, use) in other.lastUses where pending.lastUses[identity].map({ $0.at < use.at }) ?? true {
            pending.lastUses[identity] = use
        }
    }

    /// One sample per key id, minute and status class: two verified keys of one key (a rolled key's old and new
    /// secret, or one reloaded after a change) are counted together, as storage adds each sample to its row once.
    private static func samples(of batch: Pending) -> [UsageSample] {
        struct SampleKey: Hashable {
            let keyID: String
            let minute: Int64
            let statusClass: Int
        }
        var counts: [SampleKey: (workspaceID: String, count: Int)] = [:]
        for (bucketKey, bucket) in batch.buckets {
            let sampleKey = SampleKey(keyID: bucket.key.id, minute: bucketKey.minute, statusClass: bucketKey.statusClass)
            counts[sampleKey, default: (bucket.key.workspaceID, 0)].count += bucket.count
        }
        return counts.map { key, value in
            UsageSample(
                keyID: key.keyID, workspaceID: value.workspaceID, minute: Timestamp(millisecondsSinceEpoch: key.minute),
                statusClass: key.statusClass, count: value.count
            )
        }
    }

    /// The latest use of each key id.
    private static func lastUses(of batch: Pending) -> [KeyLastUse] {
        var latest: [String: LastUse] = [:]
        for use in batch.lastUses.values where latest[use.key.id].map({ $0.at < use.at }) ?? true {
            latest[use.key.id] = use
        }
        return latest.map { keyID, use in KeyLastUse(keyID: keyID, at: use.at, ip: use.address?.description) }
    }
}
