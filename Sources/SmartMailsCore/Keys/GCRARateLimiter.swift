import Synchronization

/// Per-key rate limiting with the generic cell rate algorithm: one timestamp per key (the theoretical arrival time),
/// exact under concurrency because every decision is taken under one lock, and with no timers or buckets to refill.
public final class GCRARateLimiter: Sendable {
    /// What one request learns: whether it may proceed and the numbers the rate-limit headers report.
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        public var limit: Int
        public var remaining: Int
        /// Seconds until the full allowance is available again.
        public var resetSeconds: Int
        /// Seconds to wait before the next request can succeed (0 when allowed).
        public var retryAfterSeconds: Int
    }

    private let state = Mutex<[String: Int64]>([:])

    public init() {}

    /// Takes one request from `key`'s allowance at `nanoseconds` (a monotonic clock reading).
    public func acquire(key: String, policy: RateLimitPolicy, now nanoseconds: Int64 = MonotonicClock.nanoseconds()) -> Decision {
        let period = Int64(policy.perSeconds) * 1_000_000_000
        let interval = period / Int64(policy.requests)
        return state.withLock { arrivals in
            let theoretical = max(arrivals[key] ?? nanoseconds, nanoseconds)
            let next = theoretical + interval
            let backlog = next - nanoseconds
            if backlog > period {
                let wait = backlog - period
                let used = theoretical - nanoseconds
                return Decision(
                    allowed: false, limit: policy.requests, remaining: 0,
                    resetSeconds: Self.ceilSeconds(used), retryAfterSeconds: max(1, Self.ceilSeconds(wait))
                )
            }
            arrivals[key] = next
            let remaining = Int((period - backlog) / interval)
            return Decision(
                allowed: true, limit: policy.requests, remaining: remaining,
                resetSeconds: Self.ceilSeconds(backlog), retryAfterSeconds: 0
            )
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

    private static func ceilSeconds(_ nanoseconds: Int64) -> Int {
        Int((nanoseconds + 999_999_999) / 1_000_000_000)
    }
}
