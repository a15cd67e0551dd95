import Synchronization

/// Per-key rate limiting in memory: one timestamp per key (the theoretical arrival time), exact under concurrency
/// because every decision is taken under one lock, and with no timers or buckets to refill.
public final class GCRARateLimiter: Sendable {
    public typealias Decision = GCRA.Decision

    private let state = Mutex<[String: Int64]>([:])

    public init() {}

    /// Takes one request from `key`'s allowance at `nanoseconds` (a monotonic clock reading).
    public func acquire(key: String, policy: RateLimitPolicy, now nanoseconds: Int64 = MonotonicClock.nanoseconds()) -> Decision {
        state.withLock { arrivals in
            let (decision, next) = GCRA.decide(storedArrival: arrivals[key], now: nanoseconds, policy: policy, unitsPerSecond: 1_000_000_000)
            if let next { arrivals[key] = next }
            return decision
        }
    }

    /// Forgets keys whose allowance is full again, so memory follows the number of recently active keys.
    public func pruneIdle(now nanoseconds: Int64 = MonotonicClock.nanoseconds()) {
        state.withLock { arrivals in
            arrivals = arrivals.filter { $0.value > nanoseconds }
        }
    }

    /// Drops a key's state, e.g. after its policy changed.
    public func reset(key: String) {
        _ = state.withLock { $0.removeValue(forKey: key) }
    }
}
