import Foundation
import PostgresKit
import SQLKit
import SmartMailsCore

extension SQLStore: TemplateStore {
    /// A template's row joined with its current version's.
    private static let templateSelect = """
        SELECT t.id, t.workspace_id, t.name, t.description, t.version, t.sample_data, t.created_at, t.updated_at,
            v.subject, v.html, v.text_part, v.defaults
        FROM templates t JOIN template_versions v ON v.template_id = t.id AND v.version = t.version
        """

    public func insertTemplate(_ template: Template, createdBy: String, audit: AuditEvent) async throws -> Bool {
        do {
            return try await client.withTransaction { database in
                let existing = try await database.raw(
                    "SELECT id FROM templates WHERE workspace_id = \(bind: template.workspaceID) AND name = \(bind: template.name)"
                ).first()
                guard existing == nil else { return false }
                try await database.raw("""
                    INSERT INTO templates (id, workspace_id, name, description, version, sample_data, created_at, updated_at)
                    VALUES (\(bind: template.id), \(bind: template.workspaceID), \(bind: template.name), \(bind: template.description),
                        \(bind: Int64(template.version)), \(bind: JSONValue.object(template.sampleData).jsonText),
                        \(bind: template.createdAt.millisecondsSinceEpoch), \(bind: template.updatedAt.millisecondsSinceEpoch))
                    """).run()
                try await Self.insertVersion(
                    TemplateVersion(templateID: template.id, version: template.version, content: template.content, createdAt: template.createdAt, createdBy: createdBy),
                    in: database
                )
                try await database.insertAudit(audit)
                return true
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            // Two nodes adding the same name at once: the second finds it taken, as it would have a moment later.
            return false
        }
    }

    public func templates(workspaceID: String, limit: Int, afterID: String?) async throws -> [Template] {
        try await client.withReader { database in
            var query = SQLQueryString(Self.templateSelect + " WHERE t.workspace_id = ")
            query.bind(workspaceID)
            if let afterID { query.raw(" AND t.id > "); query.bind(afterID) }
            query.raw(" ORDER BY t.id LIMIT \(limit)")
            return try await database.raw(query).all().map(Self.template(from:))
        }
    }

    public func template(workspaceID: String, id: String) async throws -> Template? {
        try await client.withReader { database in
            try await Self.template(workspaceID: workspaceID, id: id, lock: false, in: database)
        }
    }

    public func updateTemplate(
        workspaceID: String, id: String, change: TemplateChange, createdBy: String, audit: AuditEvent
    ) async throws -> TemplateUpdateOutcome? {
        let kind = client.kind
        do {
            return try await client.withTransaction { database in
                // Locked on PostgreSQL, so two saves at once make two versions one after the other (SQLite has one writer).
                guard var template = try await Self.template(workspaceID: workspaceID, id: id, lock: kind == .postgres, in: database) else { return nil }
                if let name = change.name, name != template.name {
                    let taken = try await database.raw(
                        "SELECT id FROM templates WHERE workspace_id = \(bind: workspaceID) AND name = \(bind: name) AND id <> \(bind: id)"
                    ).first()
                    guard taken == nil else { return .nameTaken }
                    template.name = name
                }
                if let description = change.description { template.description = description }
                if let sampleData = change.sampleData { template.sampleData = sampleData }
                if let content = change.content, content != template.content {
                    template.version += 1
                    template.content = content
                    try await Self.insertVersion(
                        TemplateVersion(templateID: id, version: template.version, content: content, createdAt: change.at, createdBy: createdBy), in: database
                    )
                }
                template.updatedAt = change.at
                try await database.raw("""
                    UPDATE templates SET name = \(bind: template.name), description = \(bind: template.description),
                        version = \(bind: Int64(template.version)), sample_data = \(bind: JSONValue.object(template.sampleData).jsonText),
                        updated_at = \(bind: change.at.millisecondsSinceEpoch)
                    WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)
                    """).run()
                try await database.insertAudit(audit)
                return .updated(template)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            return .nameTaken
        }
    }

    public func deleteTemplate(workspaceID: String, id: String, audit: AuditEvent) async throws -> Bool {
        try await client.withTransaction { database in
            try await database.raw("""
                DELETE FROM template_versions WHERE template_id IN (SELECT id FROM templates WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id))
                """).run()
            let deleted = try await database.raw("DELETE FROM templates WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) RETURNING id").first()
            guard deleted != nil else { return false }
            try await database.insertAudit(audit)
            return true
        }
    }

    public func templateVersions(workspaceID: String, templateID: String, limit: Int, beforeVersion: Int?) async throws -> [TemplateVersion] {
        try await client.withReader { database in
            // Through the template's row, so that another workspace's template id finds nothing.
            var query: SQLQueryString = """
                SELECT v.* FROM template_versions v JOIN templates t ON t.id = v.template_id
                WHERE t.workspace_id = \(bind: workspaceID) AND v.template_id = \(bind: templateID)
                """
            if let beforeVersion { query.raw(" AND v.version < "); query.bind(Int64(beforeVersion)) }
            query.raw(" ORDER BY v.version DESC LIMIT \(limit)")
            return try await database.raw(query).all().map(Self.version(from:))
        }
    }

    public func templateVersion(workspaceID: String, templateID: String, version: Int) async throws -> TemplateVersion? {
        try await client.withReader { database in
            try await database.raw("""
                SELECT v.* FROM template_versions v JOIN templates t ON t.id = v.template_id
                WHERE t.workspace_id = \(bind: workspaceID) AND v.template_id = \(bind: templateID) AND v.version = \(bind: Int64(version))
                """).first().map(Self.version(from:))
        }
    }

    private static func template(workspaceID: String, id: String, lock: Bool, in database: any SQLDatabase) async throws -> Template? {
        var query = SQLQueryString(templateSelect + " WHERE t.workspace_id = ")
        query.bind(workspaceID)
        query.raw(" AND t.id = ")
        query.bind(id)
        if lock { query.raw(" FOR UPDATE OF t") }
        return try await database.raw(query).first().map(template(from:))
    }

    private static func insertVersion(_ version: TemplateVersion, in database: any SQLDatabase) async throws {
        try await database.raw("""
            INSERT INTO template_versions (template_id, version, subject, html, text_part, defaults, created_at, created_by)
            VALUES (\(bind: version.templateID), \(bind: Int64(version.version)), \(bind: version.content.subject), \(bind: version.content.html),
                \(bind: version.content.text), \(bind: JSONValue.object(version.content.defaults).jsonText),
                \(bind: version.createdAt.millisecondsSinceEpoch), \(bind: version.createdBy))
            """).run()
    }

    private static func template(from row: any SQLRow) throws -> Template {
        Template(
            id: try row.string("id"), workspaceID: try row.string("workspace_id"), name: try row.string("name"),
            description: try row.optionalString("description"), content: try content(from: row), version: Int(try row.int64("version")),
            sampleData: try jsonObject(row, "sample_data", table: "templates"),
            createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at")
        )
    }

    private static func version(from row: any SQLRow) throws -> TemplateVersion {
        TemplateVersion(
            templateID: try row.string("template_id"), version: Int(try row.int64("version")), content: try content(from: row),
            createdAt: try row.timestamp("created_at"), createdBy: try row.string("created_by")
        )
    }

    private static func content(from row: any SQLRow) throws -> TemplateContent {
        TemplateContent(
            subject: try row.string("subject"), html: try row.optionalString("html"), text: try row.optionalString("text_part"),
            defaults: try jsonObject(row, "defaults", table: "template_versions")
        )
    }

    private static func jsonObject(_ row: any SQLRow, _ column: String, table: String) throws -> [String: JSONValue] {
        let text = try row.string(column)
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), case .object(let members) = value else {
            throw StoredValueError(table: table, column: column, value: String(text.prefix(60)))
        }
        return members
    }
}
