import Foundation
import PostgresKit
import SQLKit
import SmartMailsCore

extension SQLStore: DomainStore {
    public func insertDomain(_ domain: SendingDomain, audit: AuditEvent) async throws -> Bool {
        do {
            return try await client.withTransaction { database in
                let existing = try await database.raw(
                    "SELECT id FROM sending_domains WHERE workspace_id = \(bind: domain.workspaceID) AND name = \(bind: domain.name)"
                ).first()
                guard existing == nil else { return false }
                try await database.raw("""
                    INSERT INTO sending_domains (id, workspace_id, name, created_at, updated_at)
                    VALUES (\(bind: domain.id), \(bind: domain.workspaceID), \(bind: domain.name),
                        \(bind: domain.createdAt.millisecondsSinceEpoch), \(bind: domain.updatedAt.millisecondsSinceEpoch))
                    """).run()
                for key in domain.keys {
                    try await database.raw("""
                        INSERT INTO dkim_keys (domain_id, algorithm, selector, public_record, sealed_private_key, created_at)
                        VALUES (\(bind: domain.id), \(bind: key.algorithm.rawValue), \(bind: key.selector), \(bind: key.publicRecord),
                            \(bind: key.sealedPrivateKey), \(bind: domain.createdAt.millisecondsSinceEpoch))
                        """).run()
                }
                try await database.insertAudit(audit)
                return true
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            // Two nodes adding the same name at once: the second finds it taken, as it would have a moment later.
            return false
        }
    }

    public func domains(workspaceID: String, limit: Int, afterID: String?) async throws -> [SendingDomain] {
        let kind = client.kind
        return try await client.withReader { database in
            var query = SQLQueryString("SELECT * FROM sending_domains WHERE workspace_id = ")
            query.bind(workspaceID)
            if let afterID { query.raw(" AND id > "); query.bind(afterID) }
            query.raw(" ORDER BY id LIMIT \(limit)")
            let rows = try await database.raw(query).all()
            return try await Self.withKeys(rows, kind: kind, from: database)
        }
    }

    public func domain(workspaceID: String, id: String) async throws -> SendingDomain? {
        try await domain(workspaceID: workspaceID, where: "id", is: id)
    }

    public func domain(workspaceID: String, name: String) async throws -> SendingDomain? {
        try await domain(workspaceID: workspaceID, where: "name", is: name)
    }

    public func deleteDomain(workspaceID: String, id: String, audit: AuditEvent) async throws -> Bool {
        try await client.withTransaction { database in
            // Keys first (they reference the domain), and only a domain of this workspace's.
            try await database.raw("""
                DELETE FROM dkim_keys WHERE domain_id IN (SELECT id FROM sending_domains WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id))
                """).run()
            let deleted = try await database.raw("DELETE FROM sending_domains WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) RETURNING id").first()
            guard deleted != nil else { return false }
            try await database.insertAudit(audit)
            return true
        }
    }

    public func recordVerification(
        workspaceID: String, id: String, verification: DomainVerification, verifiedAt: Timestamp?, audit: AuditEvent?
    ) async throws -> Bool {
        let json = String(decoding: try JSONEncoder().encode(verification), as: UTF8.self)
        return try await client.withTransaction { database in
            let updated = try await database.raw("""
                UPDATE sending_domains SET verification = \(bind: json), verified_at = \(bind: verifiedAt?.millisecondsSinceEpoch),
                    updated_at = \(bind: verification.checkedAt.millisecondsSinceEpoch)
                WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) RETURNING id
                """).first()
            guard updated != nil else { return false }
            if let audit { try await database.insertAudit(audit) }
            return true
        }
    }

    /// The workspace's domain whose `column` (a constant: `id` or `name`) is `value`.
    private func domain(workspaceID: String, where column: String, is value: String) async throws -> SendingDomain? {
        let kind = client.kind
        return try await client.withReader { database in
            var query = SQLQueryString("SELECT * FROM sending_domains WHERE workspace_id = ")
            query.bind(workspaceID)
            query.raw(" AND \(column) = ")
            query.bind(value)
            return try await Self.withKeys(try await database.raw(query).all(), kind: kind, from: database).first
        }
    }

    /// The domains of `rows` with their keys, read in one query.
    private static func withKeys(_ rows: [any SQLRow], kind: DatabaseKind, from database: any SQLDatabase) async throws -> [SendingDomain] {
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.string("id") }
        var query = SQLQueryString("SELECT * FROM dkim_keys WHERE domain_id IN ")
        query.bindSet(ids, kind: kind)
        // ed25519 before rsa: the order the signatures are added in and the records are listed in.
        query.raw(" ORDER BY domain_id, algorithm")
        var keys: [String: [DKIMKey]] = [:]
        for row in try await database.raw(query).all() {
            let key = DKIMKey(
                algorithm: try row.decoded("algorithm", table: "dkim_keys", as: DKIMKey.Algorithm.init(rawValue:)),
                selector: try row.string("selector"), publicRecord: try row.string("public_record"),
                sealedPrivateKey: try row.string("sealed_private_key")
            )
            keys[try row.string("domain_id"), default: []].append(key)
        }
        return try rows.map { row in
            let id = try row.string("id")
            return SendingDomain(
                id: id, workspaceID: try row.string("workspace_id"), name: try row.string("name"), keys: keys[id] ?? [],
                createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"),
                verifiedAt: try row.optionalTimestamp("verified_at"), verification: try Self.verification(from: row)
            )
        }
    }
}

extension SQLStore {
    fileprivate static func verification(from row: any SQLRow) throws -> DomainVerification? {
        guard let text = try row.optionalString("verification") else { return nil }
        do {
            return try JSONDecoder().decode(DomainVerification.self, from: Data(text.utf8))
        } catch {
            throw StoredValueError(table: "sending_domains", column: "verification", value: String(text.prefix(80)))
        }
    }
}

extension SQLStore: ServerSettingsStore {
    public func setting(_ name: String, defaultingTo value: String, at now: Timestamp) async throws -> String {
        try await client.withTransaction { database in
            try await database.raw("""
                INSERT INTO server_settings (name, value, updated_at) VALUES (\(bind: name), \(bind: value), \(bind: now.millisecondsSinceEpoch))
                ON CONFLICT (name) DO NOTHING
                """).run()
            let row = try await database.raw("SELECT value FROM server_settings WHERE name = \(bind: name)").first()
            guard let row else { throw StoredValueError(table: "server_settings", column: "value", value: name) }
            return try row.string("value")
        }
    }
}
