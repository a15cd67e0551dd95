import SmartMailsCore

/// Workspaces; their members are in `AccountStore`.
public protocol WorkspaceStore: Sendable {
    /// Creates a workspace with its owner (an account made unless one has its e-mail), atomically; returns the owner.
    func createWorkspace(_ workspace: Workspace, owner: Account, audit: AuditEvent) async throws -> Account
    func workspaces(ids: [String]) async throws -> [Workspace]
    func allWorkspaces() async throws -> [Workspace]
    func workspace(slug: String) async throws -> Workspace?
    func workspace(id: String) async throws -> Workspace?
    func workspaceCount() async throws -> Int
    /// The workspace after the change; nil when there is no such workspace.
    func setRequireVerifiedDomains(_ value: Bool, workspaceID: String, audit: AuditEvent) async throws -> Workspace?
}
