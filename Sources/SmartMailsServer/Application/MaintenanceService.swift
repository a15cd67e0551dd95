import Logging
import ServiceLifecycle
import SmartMailsCore
import SmartMailsStore

/// Periodic housekeeping: forgets expired idempotency keys and idle rate-limiter state.
struct MaintenanceService: Service {
    let store: SQLStore
    let rateLimiter: any RateLimiting
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await rateLimiter.prune()
            do {
                try await store.purgeIdempotencyKeys(olderThan: Timestamp.now.adding(seconds: -IdempotencyMiddleware.retentionSeconds))
            } catch {
                logger.warning("idempotency purge failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(300)) }
        }
    }
}
