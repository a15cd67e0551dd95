import SmartMailsCore
import SmartMailsStore
import Synchronization

/// Workspaces by id, read from storage once: they do not change after creation, and `/v1/me`, the route an
/// integration calls to check its key, should cost no database read.
public final class WorkspaceDirectory: Sendable {
    private let store: any WorkspaceStore
    private let cache = Mutex<[String: Workspace]>([:])

    public init(store: any WorkspaceStore) {
        self.store = store
    }

    public func workspace(id: String) async throws -> Workspace? {
        if let cached = cache.withLock({ $0[id] }) { return cached }
        guard let workspace = try await store.workspace(id: id) else { return nil }
        cache.withLock { $0[id] = workspace }
        return workspace
    }
}
