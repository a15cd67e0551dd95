import Foundation
import SQLKit
import SmartMailsCore

extension SQLStore: ImportStore {
    public func insertImport(_ job: ImportJob, filePath: String, audit: AuditEvent) async throws {
        try await client.withTransaction { database in
            try await database.raw("""
                INSERT INTO imports (id, workspace_id, status, options, file_name, file_path, bytes_total, bytes_read, rows_total, rows_read,
                    created, updated, unchanged, failed, errors, failure, created_by, created_at, started_at, finished_at)
                VALUES (\(bind: job.id), \(bind: job.workspaceID), \(bind: job.status.rawValue), \(bind: ImportCoding.encode(job.options)),
                    \(bind: job.fileName), \(bind: filePath), \(bind: job.bytesTotal), 0, \(bind: Int64(job.rowsTotal)), 0, 0, 0, 0, 0, '[]', NULL, \(bind: job.createdBy),
                    \(bind: job.createdAt.millisecondsSinceEpoch), NULL, NULL)
                """).run()
            try await database.insertAudit(audit)
        }
    }

    public func importJob(workspaceID: String, id: String) async throws -> ImportJob? {
        try await client.withReader { database in
            try await database.raw("SELECT * FROM imports WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first().map(Self.importJob(from:))
        }
    }

    public func importJobs(workspaceID: String, limit: Int, afterID: String?) async throws -> [ImportJob] {
        try await client.withReader { database in
            var query = SQLQueryString("SELECT * FROM imports WHERE workspace_id = ")
            query.bind(workspaceID)
            if let afterID { query.raw(" AND id < "); query.bind(afterID) }
            query.raw(" ORDER BY id DESC LIMIT \(limit)")
            return try await database.raw(query).all().map(Self.importJob(from:))
        }
    }

    public func unfinishedImports() async throws -> [(job: ImportJob, filePath: String)] {
        try await client.withReader { database in
            try await database.raw("SELECT * FROM imports WHERE status IN ('queued', 'running') ORDER BY id").all().map { row in
                (try Self.importJob(from: row), try row.string("file_path"))
            }
        }
    }

    public func claimImport(id: String, at now: Timestamp) async throws -> Bool {
        try await client.withAutocommit { database in
            try await database.raw("""
                UPDATE imports SET status = 'running', started_at = COALESCE(started_at, \(bind: now.millisecondsSinceEpoch))
                WHERE id = \(bind: id) AND status = 'queued' RETURNING id
                """).first() != nil
        }
    }

    public func saveProgress(_ job: ImportJob) async throws -> Bool {
        try await client.withAutocommit { database in
            let saved = try await database.raw("""
                UPDATE imports SET status = \(bind: job.status.rawValue), bytes_read = \(bind: job.bytesRead), rows_read = \(bind: Int64(job.rowsRead)),
                    created = \(bind: Int64(job.tally.created)), updated = \(bind: Int64(job.tally.updated)),
                    unchanged = \(bind: Int64(job.tally.unchanged)), failed = \(bind: Int64(job.tally.failed)),
                    errors = \(bind: ImportCoding.encode(job.errors)), failure = \(bind: job.failure),
                    started_at = \(bind: job.startedAt?.millisecondsSinceEpoch), finished_at = \(bind: job.finishedAt?.millisecondsSinceEpoch)
                WHERE id = \(bind: job.id) AND status IN ('queued', 'running') RETURNING id
                """).first()
            return saved != nil
        }
    }

    public func cancelImport(workspaceID: String, id: String, at now: Timestamp, audit: AuditEvent) async throws -> ImportJob? {
        try await client.withTransaction { database in
            let cancelled = try await database.raw("""
                UPDATE imports SET status = 'cancelled', finished_at = \(bind: now.millisecondsSinceEpoch)
                WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) AND status IN ('queued', 'running') RETURNING id
                """).first()
            if cancelled != nil { try await database.insertAudit(audit) }
            return try await database.raw("SELECT * FROM imports WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first().map(Self.importJob(from:))
        }
    }

    static func importJob(from row: any SQLRow) throws -> ImportJob {
        var tally = UpsertTally()
        tally.created = Int(try row.int64("created"))
        tally.updated = Int(try row.int64("updated"))
        tally.unchanged = Int(try row.int64("unchanged"))
        tally.failed = Int(try row.int64("failed"))
        return ImportJob(
            id: try row.string("id"), workspaceID: try row.string("workspace_id"),
            status: try row.decoded("status", table: "imports", as: ImportJob.Status.init(rawValue:)),
            options: try ImportCoding.options(try row.string("options")), fileName: try row.optionalString("file_name"),
            bytesTotal: try row.int64("bytes_total"), bytesRead: try row.int64("bytes_read"), rowsTotal: Int(try row.int64("rows_total")), rowsRead: Int(try row.int64("rows_read")),
            tally: tally, errors: try ImportCoding.errors(try row.string("errors")), failure: try row.optionalString("failure"),
            createdBy: try row.string("created_by"), createdAt: try row.timestamp("created_at"),
            startedAt: try row.optionalTimestamp("started_at"), finishedAt: try row.optionalTimestamp("finished_at")
        )
    }
}

/// Import options and errors as the JSON text they are stored in.
enum ImportCoding {
    static func encode(_ options: ImportOptions) -> String {
        var object: [String: JSONValue] = ["on_conflict": .string(options.onConflict.rawValue)]
        if let listID = options.listID { object["list_id"] = .string(listID) }
        object["mapping"] = .object(options.mapping.mapValues { .string($0.name) })
        object["attribute_types"] = .object(options.attributeTypes.mapValues { .string($0.rawValue) })
        return JSONValue.object(object).jsonText
    }

    static func options(_ text: String) throws -> ImportOptions {
        let json = try JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8))
        var options = ImportOptions()
        options.onConflict = json["on_conflict"]?.stringValue.flatMap(ConflictPolicy.init(rawValue:)) ?? .update
        options.listID = json["list_id"]?.stringValue
        for (header, target) in json["mapping"]?.objectValue ?? [:] {
            guard let name = target.stringValue, let target = ImportTarget(name: name) else {
                throw StoredValueError(table: "imports", column: "options", value: String(text.prefix(100)))
            }
            options.mapping[header] = target
        }
        for (key, kind) in json["attribute_types"]?.objectValue ?? [:] {
            guard let name = kind.stringValue, let kind = AttributeValue.Kind(rawValue: name) else {
                throw StoredValueError(table: "imports", column: "options", value: String(text.prefix(100)))
            }
            options.attributeTypes[key] = kind
        }
        return options
    }

    static func encode(_ errors: [ImportRowError]) -> String {
        JSONValue.array(errors.map { error in
            var object: [String: JSONValue] = ["line": .integer(Int64(error.line)), "message": .string(error.message)]
            if let field = error.field { object["field"] = .string(field) }
            return .object(object)
        }).jsonText
    }

    static func errors(_ text: String) throws -> [ImportRowError] {
        let json = try JSONDecoder().decode([JSONValue].self, from: Data(text.utf8))
        return json.compactMap { item in
            guard let object = item.objectValue, case .integer(let line)? = object["line"], let message = object["message"]?.stringValue else { return nil }
            return ImportRowError(line: Int(line), field: object["field"]?.stringValue, message: message)
        }
    }
}
