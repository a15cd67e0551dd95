import Synchronization

/// Per-key rate limiting in memory: one `GCRACell` per recently active key, with no timers or buckets to refill.
///
/// The lock here guards only which cell belongs to which key. A caller on the hot path keeps the key's cell (the
/// server keeps it with the verified key) and decides through it without touching the lock; `acquire(key:…)` is the
/// same decision for a caller that has only the key's id.
public final class GCRARateLimiter: Sendable {
    public typealias Decision = GCRA.Decision

    private let cells = Mutex<[String: GCRACell]>([:])

    public init() {}

    /// The cell that counts `key`'s requests now, created on first use.
    public func cell(for key: String) -> GCRACell {
        cells.withLock { cells in
            if let cell = cells[key] { return cell }
            let cell = GCRACell()
            cells[key] = cell
            return cell
        }
    }

    /// Takes one request from `key`'s allowance at `nanoseconds` (a monotonic clock reading).
    public func acquire(key: String, policy: RateLimitPolicy, now nanoseconds: Int64 = MonotonicClock.nanoseconds()) -> Decision {
        while true {
            // A cell retired between the lookup and the decision is already out of the table: the next lookup
            // finds the key's new cell.
            if let decision = cell(for: key).acquire(policy: policy, now: nanoseconds) { return decision }
        }
    }

    /// Takes one request through `cell`, the key's cell as the caller last saw it; falls back to the key's current
    /// cell when that one was retired meanwhile.
    public func acquire(key: String, cell: GCRACell, policy: RateLimitPolicy, now nanoseconds: Int64 = MonotonicClock.nanoseconds()) -> Decision {
        cell.acquire(policy: policy, now: nanoseconds) ?? acquire(key: key, policy: policy, now: nanoseconds)
    }

    /// Retires and forgets the cells of keys whose allowance is full again, so memory follows the number of recently
    /// active keys.
    public func pruneIdle(now nanoseconds: Int64 = MonotonicClock.nanoseconds()) {
        cells.withLock { cells in
            cells = cells.filter { !$0.value.retireIfIdle(now: nanoseconds) }
        }
    }

    /// Gives a key its full allowance back, e.g. after its policy changed.
    public func reset(key: String) {
        cells.withLock { $0[key]?.reset() }
    }

    /// How many keys have a cell: what `pruneIdle` keeps in bounds.
    public var trackedKeyCount: Int {
        cells.withLock { $0.count }
    }
}
