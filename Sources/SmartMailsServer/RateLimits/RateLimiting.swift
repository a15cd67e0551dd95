import SmartMailsCore

/// Where per-key rate-limit decisions are taken: in this process's memory (one node), or in PostgreSQL when several
/// nodes serve the same keys and the limit must hold across them.
protocol RateLimiting: Sendable {
    func acquire(key: String, policy: RateLimitPolicy) async -> GCRA.Decision
    /// The decision when it can be taken without waiting, nil when it needs I/O (then call `acquire`): the
    /// in-memory limiter then costs the request path no suspension point.
    func acquireWithoutWaiting(key: String, policy: RateLimitPolicy) -> GCRA.Decision?
    /// Gives a key its full allowance back, e.g. after its policy changed.
    func reset(key: String) async
    /// Forgets keys whose allowance is full again.
    func prune() async
}

extension RateLimiting {
    func acquireWithoutWaiting(key: String, policy: RateLimitPolicy) -> GCRA.Decision? { nil }
}

/// The default: GCRA in memory, exact for one process and free of I/O.
struct LocalRateLimits: RateLimiting {
    let limiter = GCRARateLimiter()

    func acquire(key: String, policy: RateLimitPolicy) async -> GCRA.Decision {
        limiter.acquire(key: key, policy: policy)
    }

    func acquireWithoutWaiting(key: String, policy: RateLimitPolicy) -> GCRA.Decision? {
        limiter.acquire(key: key, policy: policy)
    }

    func reset(key: String) async {
        limiter.reset(key: key)
    }

    func prune() async {
        limiter.pruneIdle()
    }
}
