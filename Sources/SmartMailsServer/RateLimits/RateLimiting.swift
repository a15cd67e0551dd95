import SmartMailsCore

/// Where per-key rate-limit decisions are taken: in this process's memory (one node), or in PostgreSQL when several
/// nodes serve the same keys and the limit must hold across them.
protocol RateLimiting: Sendable {
    func acquire(key: String, policy: RateLimitPolicy) async -> GCRA.Decision
    /// The decision for a verified key when it can be taken without waiting, nil when it needs I/O (then call
    /// `acquire`): the in-memory limiter then costs the request path no suspension point.
    func acquireWithoutWaiting(_ key: VerifiedKey) -> GCRA.Decision?
    /// The in-memory cells the verifier hands to each key it loads, so that a decision needs neither a lookup nor a
    /// lock; nil when decisions are taken elsewhere.
    var localCells: GCRARateLimiter? { get }
    /// Gives a key its full allowance back, e.g. after its policy changed.
    func reset(key: String) async
    /// Forgets keys whose allowance is full again.
    func prune() async
}

extension RateLimiting {
    func acquireWithoutWaiting(_ key: VerifiedKey) -> GCRA.Decision? { nil }
    var localCells: GCRARateLimiter? { nil }
}

/// The default: GCRA in memory, exact for one process and free of I/O.
struct LocalRateLimits: RateLimiting {
    let limiter = GCRARateLimiter()

    func acquire(key: String, policy: RateLimitPolicy) async -> GCRA.Decision {
        limiter.acquire(key: key, policy: policy)
    }

    func acquireWithoutWaiting(_ key: VerifiedKey) -> GCRA.Decision? {
        if let cell = key.rateLimitCell {
            return limiter.acquire(key: key.id, cell: cell, policy: key.rateLimit)
        }
        return limiter.acquire(key: key.id, policy: key.rateLimit)
    }

    var localCells: GCRARateLimiter? { limiter }

    func reset(key: String) async {
        limiter.reset(key: key)
    }

    func prune() async {
        limiter.pruneIdle()
    }
}
