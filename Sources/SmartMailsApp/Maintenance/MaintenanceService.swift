import Logging
import ServiceLifecycle
import SmartMailsCore
import SmartMailsStore

/// Periodic housekeeping: forgets expired idempotency keys, idle rate-limiter state, and the dashboard's ended
/// sessions, sign-in steps, links and old failed sign-ins (which anyone can add to by trying addresses).
public struct MaintenanceService: Service {
    /// How long an `Idempotency-Key` and its answer are remembered.
    public static let idempotencyRetentionSeconds: Int64 = 86_400

    let idempotency: any IdempotencyStore
    let accounts: (any AccountStore)?
    let rateLimiter: any RateLimiting
    let logger: Logger

    public init(idempotency: any IdempotencyStore, accounts: (any AccountStore)? = nil, rateLimiter: any RateLimiting, logger: Logger) {
        self.idempotency = idempotency
        self.accounts = accounts
        self.rateLimiter = rateLimiter
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await rateLimiter.prune()
            do {
                try await idempotency.purgeIdempotencyKeys(olderThan: Timestamp.now.adding(seconds: -Self.idempotencyRetentionSeconds))
            } catch {
                logger.warning("idempotency purge failed", metadata: ["error": "\(error)"])
            }
            do {
                try await accounts?.purgeEnded(at: .now, failuresBefore: Timestamp.now.adding(seconds: -LoginThrottle().windowSeconds))
            } catch {
                logger.warning("session purge failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(300)) }
        }
    }
}
