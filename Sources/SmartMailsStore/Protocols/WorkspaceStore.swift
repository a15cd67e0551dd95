import SmartMailsCore

/// Workspaces and their users.
public protocol WorkspaceStore: Sendable {
    /// Creates a workspace with its owner, atomically.
    func createWorkspace(_ workspace: Workspace, owner: User, audit: AuditEvent) async throws
    func workspace(slug: String) async throws -> Workspace?
    func workspace(id: String) async throws -> Workspace?
    func workspaceCount() async throws -> Int
}
