import Logging
import SmartMailsCore
import SmartMailsStore
import Synchronization

/// Rate limits shared by every node on one PostgreSQL: one atomic statement per request, by the database's clock.
/// If the database cannot answer, the node falls back to its own memory rather than refusing or admitting everyone,
/// and says so in the log once per outage.
public final class SharedRateLimits: RateLimiting {
    let store: any SharedRateLimitStore
    let fallback = LocalRateLimits()
    let logger: Logger
    private let degraded = Mutex(false)

    public init(store: any SharedRateLimitStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public var localCells: GCRARateLimiter? { nil }

    public func acquire(_ key: VerifiedKey) async -> GCRA.Decision {
        do {
            let decision = try await store.takeFromAllowance(keyID: key.id, policy: key.rateLimit)
            if degraded.withLock({ flag in defer { flag = false }; return flag }) {
                logger.info("shared rate limits available again")
            }
            return decision
        } catch {
            if !degraded.withLock({ flag in defer { flag = true }; return flag }) {
                logger.warning("shared rate limits unavailable; limiting per node meanwhile", metadata: ["error": "\(error)"])
            }
            return await fallback.acquire(key)
        }
    }

    public func reset(keyID: String) async {
        try? await store.resetAllowance(keyID: keyID)
        await fallback.reset(keyID: keyID)
    }

    public func prune() async {
        try? await store.pruneAllowances()
        await fallback.prune()
    }
}
