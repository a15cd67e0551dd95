import SmartMailsCore
import SmartMailsStore

/// A workspace's rules for what it may send: for now, whether a `from` must be on a verified domain.
public struct SendingPolicyService: Sendable {
    let store: any WorkspaceStore

    public init(store: any WorkspaceStore) {
        self.store = store
    }

    public func requiresVerifiedDomains(workspaceID: String) async throws -> Bool {
        guard let workspace = try await store.workspace(id: workspaceID) else { throw WorkspaceMissing(id: workspaceID) }
        return workspace.requireVerifiedDomains
    }

    public func setRequireVerifiedDomains(_ value: Bool, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> Bool {
        let audit = actor.audit(
            .sendingPolicyChanged, workspaceID: workspaceID, targetType: "workspace", targetID: workspaceID,
            changes: ["require_verified_domains": value ? "true" : "false"], at: now
        )
        guard let workspace = try await store.setRequireVerifiedDomains(value, workspaceID: workspaceID, audit: audit) else {
            throw WorkspaceMissing(id: workspaceID)
        }
        return workspace.requireVerifiedDomains
    }

    /// A caller's workspace that is gone: the key outlived it (a server error, not the caller's).
    struct WorkspaceMissing: Error { let id: String }
}
