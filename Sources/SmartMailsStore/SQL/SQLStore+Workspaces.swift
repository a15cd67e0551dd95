import SQLKit
import SmartMailsCore

extension SQLStore: WorkspaceStore {
    public func createWorkspace(_ workspace: Workspace, owner: User, audit: AuditEvent) async throws {
        try await client.withTransaction { database in
            try await database.raw("""
                INSERT INTO workspaces (id, slug, name, created_at)
                VALUES (\(bind: workspace.id), \(bind: workspace.slug), \(bind: workspace.name), \(bind: workspace.createdAt.millisecondsSinceEpoch))
                """).run()
            try await database.raw("""
                INSERT INTO users (id, workspace_id, email, role, created_at)
                VALUES (\(bind: owner.id), \(bind: owner.workspaceID), \(bind: owner.email), \(bind: owner.role.rawValue), \(bind: owner.createdAt.millisecondsSinceEpoch))
                """).run()
            try await database.insertAudit(audit)
        }
    }

    public func workspace(slug: String) async throws -> Workspace? {
        try await client.withReader { database in
            try await database.raw("SELECT * FROM workspaces WHERE slug = \(bind: slug)").first().map(Self.workspace(from:))
        }
    }

    public func workspace(id: String) async throws -> Workspace? {
        try await client.withReader { database in
            try await database.raw("SELECT * FROM workspaces WHERE id = \(bind: id)").first().map(Self.workspace(from:))
        }
    }

    public func workspaceCount() async throws -> Int {
        try await client.withReader { database in
            let row = try await database.raw("SELECT COUNT(*) AS total FROM workspaces").first()
            return Int(try row?.int64("total") ?? 0)
        }
    }

    static func workspace(from row: any SQLRow) throws -> Workspace {
        Workspace(id: try row.string("id"), slug: try row.string("slug"), name: try row.string("name"), createdAt: try row.timestamp("created_at"))
    }
}
