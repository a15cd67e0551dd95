import SmartMailsCore
import SmartMailsStore

/// What the first start of an empty database creates: the workspace `default`, its owner (with a one-time link to
/// set a password for the dashboard) and one admin key.
public enum Bootstrap {
    public struct Result: Sendable {
        public let workspace: Workspace
        public let adminKey: KeyService.IssuedKey
        public let ownerPasswordLink: SecretToken
    }

    /// A new workspace, its owner as stored, and the owner's password link when the owner has no password yet.
    public struct CreatedWorkspace: Sendable {
        public let workspace: Workspace
        public let owner: Account
        public let ownerPasswordLink: SecretToken?
    }

    /// Creates the default workspace when there is no workspace at all; returns nil when there already is one.
    public static func ensureDefaultWorkspace(storage: any Storage, ownerEmail: String, now: Timestamp = .now) async throws -> Result? {
        guard try await storage.workspaceCount() == 0 else { return nil }
        let created: CreatedWorkspace
        do {
            created = try await createWorkspace(storage: storage, slug: "default", name: "Default", ownerEmail: ownerEmail, now: now)
        } catch {
            // Another node bootstrapping the same PostgreSQL at the same moment wins; this one stands down.
            if try await storage.workspace(slug: "default") != nil { return nil }
            throw error
        }
        let key = try await KeyService(store: storage).create(
            workspaceID: created.workspace.id, name: "Admin key (created on first start)", scopes: ScopePreset.admin.scopes,
            mode: .live, by: .system, now: now
        )
        var link = created.ownerPasswordLink
        if link == nil {
            link = try await AccountService(store: storage).issuePasswordLink(accountID: created.owner.id, workspaceID: created.workspace.id, now: now)
        }
        guard let link else { throw ValidationError(param: "owner", message: "has no password link") }
        return Result(workspace: created.workspace, adminKey: key, ownerPasswordLink: link)
    }

    /// Creates a workspace with its owner (and the audit entry): an account made unless one has the e-mail. An
    /// owner without a password gets a one-time link to set one.
    public static func createWorkspace(storage: any Storage, slug: String, name: String, ownerEmail: String, now: Timestamp = .now) async throws -> CreatedWorkspace {
        guard let email = EmailAddress.normalised(ownerEmail) else {
            throw ValidationError(param: "owner", message: "'\(ownerEmail.prefix(100))' is not an e-mail address")
        }
        guard slug.utf8.count <= 40, !slug.isEmpty, slug.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }) else {
            throw ValidationError(param: "slug", message: "must be 1-40 lower-case letters, digits and hyphens")
        }
        let workspace = Workspace(id: ResourceID.make(prefix: Workspace.idPrefix, at: now), slug: slug, name: name, createdAt: now)
        let owner = Account(id: ResourceID.make(prefix: Account.idPrefix, at: now), email: email, name: "", createdAt: now)
        let audit = AuditEvent(
            workspaceID: workspace.id, occurredAt: now, actor: "system", action: .workspaceCreated, targetType: "workspace",
            targetID: workspace.id, ip: nil, changes: ["slug": slug, "owner": email]
        )
        let stored = try await storage.createWorkspace(workspace, owner: owner, audit: audit)
        let link = stored.passwordSetAt == nil
            ? try await AccountService(store: storage).issuePasswordLink(accountID: stored.id, workspaceID: workspace.id, now: now) : nil
        return CreatedWorkspace(workspace: workspace, owner: stored, ownerPasswordLink: link)
    }
}
