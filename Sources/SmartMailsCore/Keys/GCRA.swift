/// The generic cell rate algorithm as pure arithmetic: given a key's stored theoretical arrival time (TAT) and the
/// current time, in any unit, decide one request. The in-memory limiter and the PostgreSQL-backed one share it, so
/// both report the same numbers.
public enum GCRA {
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

    /// Decides a request at `now`; when allowed, also returns the TAT to store. `unitsPerSecond` is the resolution of
    /// `now` and the stored value (10^9 for nanoseconds, 10^6 for microseconds).
    public static func decide(storedArrival: Int64?, now: Int64, policy: RateLimitPolicy, unitsPerSecond: Int64) -> (Decision, newArrival: Int64?) {
        let (period, interval) = window(policy, unitsPerSecond: unitsPerSecond)
        let theoretical = max(storedArrival ?? now, now)
        let next = theoretical + interval
        guard next - now <= period else {
            return (refused(storedArrival: theoretical, now: now, policy: policy, unitsPerSecond: unitsPerSecond), nil)
        }
        return (allowed(newArrival: next, now: now, policy: policy, unitsPerSecond: unitsPerSecond), next)
    }

    /// The decision for a request that was admitted and moved the TAT to `newArrival`.
    public static func allowed(newArrival: Int64, now: Int64, policy: RateLimitPolicy, unitsPerSecond: Int64) -> Decision {
        let (period, interval) = window(policy, unitsPerSecond: unitsPerSecond)
        let backlog = newArrival - now
        return Decision(
            allowed: true, limit: policy.requests, remaining: Int(max(0, period - backlog) / interval),
            resetSeconds: ceilSeconds(backlog, unitsPerSecond), retryAfterSeconds: 0
        )
    }

    /// The decision for a request refused while the TAT stands at `storedArrival`.
    public static func refused(storedArrival: Int64, now: Int64, policy: RateLimitPolicy, unitsPerSecond: Int64) -> Decision {
        let (period, interval) = window(policy, unitsPerSecond: unitsPerSecond)
        let used = max(storedArrival, now) - now
        return Decision(
            allowed: false, limit: policy.requests, remaining: 0, resetSeconds: ceilSeconds(used, unitsPerSecond),
            retryAfterSeconds: max(1, ceilSeconds(used + interval - period, unitsPerSecond))
        )
    }

    /// The window and the spacing between requests (the emission interval), in the caller's unit.
    public static func window(_ policy: RateLimitPolicy, unitsPerSecond: Int64) -> (period: Int64, interval: Int64) {
        let period = Int64(policy.perSeconds) * unitsPerSecond
        return (period, period / Int64(policy.requests))
    }

    private static func ceilSeconds(_ amount: Int64, _ unitsPerSecond: Int64) -> Int {
        Int((max(0, amount) + unitsPerSecond - 1) / unitsPerSecond)
    }
}
