import SmartMailsCore

/// Where per-key rate-limit decisions are taken: in this process's memory (one node), or in PostgreSQL when several
/// nodes serve the same keys and the limit must hold across them.
public protocol RateLimiting: Sendable {
    /// Takes one request from the key's allowance.
    func acquire(_ key: VerifiedKey) async -> GCRA.Decision
    /// The in-memory cells the verifier hands to each key it loads; nil when decisions are taken elsewhere.
    var localCells: GCRARateLimiter? { get }
    /// Gives a key its full allowance back, e.g. after its policy changed.
    func reset(keyID: String) async
    /// Forgets keys whose allowance is full again.
    func prune() async
}

/// The default: GCRA in memory, exact for one process and free of I/O.
public struct LocalRateLimits: RateLimiting {
    let limiter = GCRARateLimiter()

    public init() {}

    public func acquire(_ key: VerifiedKey) async -> GCRA.Decision {
        // The key's own cell needs no lookup: one compare-and-swap decides.
        if let cell = key.rateLimitCell {
            return limiter.acquire(key: key.id, cell: cell, policy: key.rateLimit)
        }
        return limiter.acquire(key: key.id, policy: key.rateLimit)
    }

    public var localCells: GCRARateLimiter? { limiter }

    public func reset(keyID: String) async {
        limiter.reset(key: keyID)
    }

    public func prune() async {
        limiter.pruneIdle()
    }
}
