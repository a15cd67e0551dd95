import Foundation
import SQLKit
import SmartMailsCore

extension SQLStore: SegmentStore {
    public func insertSegment(_ segment: Segment, audit: AuditEvent) async throws {
        try await client.withTransaction { database in
            try await database.raw("""
                INSERT INTO segments (id, workspace_id, name, rule, created_at, updated_at)
                VALUES (\(bind: segment.id), \(bind: segment.workspaceID), \(bind: segment.name), \(bind: segment.ruleJSON.jsonText),
                    \(bind: segment.createdAt.millisecondsSinceEpoch), \(bind: segment.updatedAt.millisecondsSinceEpoch))
                """).run()
            try await database.insertAudit(audit)
        }
    }

    public func segments(workspaceID: String, limit: Int, afterID: String?) async throws -> [Segment] {
        try await client.withReader { database in
            var query = SQLQueryString("SELECT * FROM segments WHERE workspace_id = ")
            query.bind(workspaceID)
            if let afterID { query.raw(" AND id > "); query.bind(afterID) }
            query.raw(" ORDER BY id LIMIT \(limit)")
            return try await database.raw(query).all().map(Self.segment(from:))
        }
    }

    public func segment(workspaceID: String, id: String) async throws -> Segment? {
        try await client.withReader { database in
            try await database.raw("SELECT * FROM segments WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first().map(Self.segment(from:))
        }
    }

    public func updateSegment(_ segment: Segment, audit: AuditEvent) async throws -> Bool {
        try await client.withTransaction { database in
            let updated = try await database.raw("""
                UPDATE segments SET name = \(bind: segment.name), rule = \(bind: segment.ruleJSON.jsonText), updated_at = \(bind: segment.updatedAt.millisecondsSinceEpoch)
                WHERE workspace_id = \(bind: segment.workspaceID) AND id = \(bind: segment.id) RETURNING id
                """).first()
            guard updated != nil else { return false }
            try await database.insertAudit(audit)
            return true
        }
    }

    public func deleteSegment(workspaceID: String, id: String, audit: AuditEvent) async throws -> Bool {
        try await client.withTransaction { database in
            let deleted = try await database.raw("DELETE FROM segments WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) RETURNING id").first()
            guard deleted != nil else { return false }
            try await database.insertAudit(audit)
            return true
        }
    }

    static func segment(from row: any SQLRow) throws -> Segment {
        let text = try row.string("rule")
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), let rule = try? SegmentRuleParser.parse(json) else {
            throw StoredValueError(table: "segments", column: "rule", value: String(text.prefix(100)))
        }
        return Segment(
            id: try row.string("id"), workspaceID: try row.string("workspace_id"), name: try row.string("name"), ruleJSON: json, rule: rule,
            createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at")
        )
    }
}
