import SmartMailsCore
import SmartMailsStore

/// What the first start of an empty database creates: the workspace `default`, its owner and one admin key.
public enum Bootstrap {
    public struct Result: Sendable {
        public let workspace: Workspace
        public let adminKey: KeyService.IssuedKey
    }

    /// Creates the default workspace when there is no workspace at all; returns nil when there already is one.
    public static func ensureDefaultWorkspace(storage: any Storage, ownerEmail: String, now: Timestamp = .now) async throws -> Result? {
        guard try await storage.workspaceCount() == 0 else { return nil }
        let workspace: Workspace
        do {
            workspace = try await createWorkspace(storage: storage, slug: "default", name: "Default", ownerEmail: ownerEmail, now: now)
        } catch {
            // Another node bootstrapping the same PostgreSQL at the same moment wins; this one stands down.
            if try await storage.workspace(slug: "default") != nil { return nil }
            throw error
        }
        let key = try await KeyService(store: storage).create(
            workspaceID: workspace.id, name: "Admin key (created on first start)", scopes: ScopePreset.admin.scopes,
            mode: .live, by: .system, now: now
        )
        return Result(workspace: workspace, adminKey: key)
    }

    /// Creates a workspace with its owner (and the audit entry). Beyond the first start, only tests of isolation need it
    /// until workspaces get their API.
    public static func createWorkspace(storage: any Storage, slug: String, name: String, ownerEmail: String, now: Timestamp = .now) async throws -> Workspace {
        let workspace = Workspace(id: ResourceID.make(prefix: Workspace.idPrefix, at: now), slug: slug, name: name, createdAt: now)
        guard let email = EmailAddress.normalised(ownerEmail) else {
            throw ValidationError(param: "owner_email", message: "'\(ownerEmail)' is not an e-mail address")
        }
        let owner = Account(id: ResourceID.make(prefix: Account.idPrefix, at: now), email: email, name: "", createdAt: now)
        let audit = AuditEvent(
            workspaceID: workspace.id, occurredAt: now, actor: "system", action: .workspaceCreated, targetType: "workspace",
            targetID: workspace.id, ip: nil, changes: ["slug": slug, "owner": ownerEmail]
        )
        _ = try await storage.createWorkspace(workspace, owner: owner, audit: audit)
        return workspace
    }
}
