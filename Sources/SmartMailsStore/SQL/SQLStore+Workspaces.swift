import SQLKit
import SmartMailsCore

extension SQLStore: WorkspaceStore {
    public func createWorkspace(_ workspace: Workspace, owner: Account, audit: AuditEvent) async throws -> Account {
        try await client.withTransaction { database in
            try await database.raw("""
                INSERT INTO workspaces (id, slug, name, created_at)
                VALUES (\(bind: workspace.id), \(bind: workspace.slug), \(bind: workspace.name), \(bind: workspace.createdAt.millisecondsSinceEpoch))
                """).run()
            let stored = try await database.insertAccountUnlessKnown(owner)
            try await database.raw("""
                INSERT INTO memberships (workspace_id, account_id, role, status, created_at)
                VALUES (\(bind: workspace.id), \(bind: stored.id), \(bind: Role.owner.rawValue), 'active', \(bind: workspace.createdAt.millisecondsSinceEpoch))
                """).run()
            try await database.insertAudit(audit)
            return stored
        }
    }

    public func workspaces(ids: [String]) async throws -> [Workspace] {
        guard !ids.isEmpty else { return [] }
        return try await client.withReader { database in
            var query = SQLQueryString("SELECT * FROM workspaces WHERE id IN (")
            for (index, id) in ids.enumerated() {
                if index > 0 { query.appendInterpolation(unsafeRaw: ", ") }
                query.appendInterpolation(bind: id)
            }
            query.appendInterpolation(unsafeRaw: ") ORDER BY slug")
            return try await database.raw(query).all().map(Self.workspace(from:))
        }
    }

    public func allWorkspaces() async throws -> [Workspace] {
        try await client.withReader { database in
            try await database.raw("SELECT * FROM workspaces ORDER BY slug").all().map(Self.workspace(from:))
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
        Workspace(
            id: try row.string("id"), slug: try row.string("slug"), name: try row.string("name"), createdAt: try row.timestamp("created_at"),
            requireVerifiedDomains: try row.int64("require_verified_domains") != 0
        )
    }

    public func setRequireVerifiedDomains(_ value: Bool, workspaceID: String, audit: AuditEvent) async throws -> Workspace? {
        try await client.withTransaction { database in
            let row = try await database.raw("""
                UPDATE workspaces SET require_verified_domains = \(bind: value ? 1 : 0) WHERE id = \(bind: workspaceID) RETURNING *
                """).first()
            guard let row else { return nil }
            try await database.insertAudit(audit)
            return try Self.workspace(from: row)
        }
    }
}
