import Logging
import ServiceLifecycle
import SmartMailsStore

/// Keeps this node's key cache in step with changes made by other nodes (and the CLI) on a shared PostgreSQL:
/// each change is announced on commit and evicts the key here, so a revocation holds everywhere at once rather
/// than after the cache's time to live. On SQLite it has nothing to do but wait for shutdown.
public struct KeyChangeListener: Service {
    let store: any APIKeyStore
    let verifier: KeyVerifier
    let logger: Logger

    public init(store: any APIKeyStore, verifier: KeyVerifier, logger: Logger) {
        self.store = store
        self.verifier = verifier
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let followed = try await cancelWhenGracefulShutdown {
                    try await store.followKeyChanges { [verifier] keyID in verifier.invalidate(keyID: keyID) }
                }
                if !followed {
                    try? await gracefulShutdown()
                    return
                }
            } catch is CancellationError {
                return
            } catch {
                guard !Task.isShuttingDownGracefully else { return }
                // Changes made while disconnected were missed: forget everything rather than serve stale keys.
                verifier.invalidateAll()
                logger.warning("key change notifications interrupted; reconnecting", metadata: ["error": "\(error)"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            }
        }
    }
}
