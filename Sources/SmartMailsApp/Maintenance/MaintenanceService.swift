import Logging
import ServiceLifecycle
import SmartMailsCore
import SmartMailsStore

/// Periodic housekeeping: forgets expired idempotency keys and idle rate-limiter state.
public struct MaintenanceService: Service {
    /// How long an `Idempotency-Key` and its answer are remembered.
    public static let idempotencyRetentionSeconds: Int64 = 86_400

    let idempotency: any IdempotencyStore
    let rateLimiter: any RateLimiting
    let logger: Logger

    public init(idempotency: any IdempotencyStore, rateLimiter: any RateLimiting, logger: Logger) {
        self.idempotency = idempotency
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
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(300)) }
        }
    }
}
