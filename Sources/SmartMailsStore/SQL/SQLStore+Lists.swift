import SQLKit
import SmartMailsCore

extension SQLStore: ListStore {
    private static let listColumns = """
        SELECT lists.*,
            (SELECT COUNT(*) FROM list_members WHERE list_members.list_id = lists.id AND list_members.state = 'subscribed') AS subscribed,
            (SELECT COUNT(*) FROM list_members WHERE list_members.list_id = lists.id AND list_members.state = 'unsubscribed') AS unsubscribed,
            (SELECT COUNT(*) FROM list_members WHERE list_members.list_id = lists.id AND list_members.state = 'pending') AS pending
        FROM lists
        """

    public func insertList(_ list: ContactList, audit: AuditEvent) async throws {
        try await client.withTransaction { database in
            try await database.raw("""
                INSERT INTO lists (id, workspace_id, name, description, created_at, updated_at)
                VALUES (\(bind: list.id), \(bind: list.workspaceID), \(bind: list.name), \(bind: list.description),
                    \(bind: list.createdAt.millisecondsSinceEpoch), \(bind: list.updatedAt.millisecondsSinceEpoch))
                """).run()
            try await database.insertAudit(audit)
        }
    }

    public func lists(workspaceID: String, limit: Int, afterID: String?) async throws -> [ListSummary] {
        try await client.withReader { database in
            var query = SQLQueryString(Self.listColumns)
            query.raw(" WHERE lists.workspace_id = "); query.bind(workspaceID)
            if let afterID { query.raw(" AND lists.id > "); query.bind(afterID) }
            query.raw(" ORDER BY lists.id LIMIT \(limit)")
            return try await database.raw(query).all().map(Self.listSummary(from:))
        }
    }

    public func list(workspaceID: String, id: String) async throws -> ListSummary? {
        try await client.withReader { database in
            var query = SQLQueryString(Self.listColumns)
            query.raw(" WHERE lists.workspace_id = "); query.bind(workspaceID)
            query.raw(" AND lists.id = "); query.bind(id)
            return try await database.raw(query).first().map(Self.listSummary(from:))
        }
    }

    public func updateList(_ list: ContactList, audit: AuditEvent) async throws -> Bool {
        try await client.withTransaction { database in
            let updated = try await database.raw("""
                UPDATE lists SET name = \(bind: list.name), description = \(bind: list.description), updated_at = \(bind: list.updatedAt.millisecondsSinceEpoch)
                WHERE workspace_id = \(bind: list.workspaceID) AND id = \(bind: list.id) RETURNING id
                """).first()
            guard updated != nil else { return false }
            try await database.insertAudit(audit)
            return true
        }
    }

    public func deleteList(workspaceID: String, id: String, audit: AuditEvent) async throws -> Bool {
        try await client.withTransaction { database in
            guard try await database.raw("SELECT id FROM lists WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first() != nil else { return false }
            try await database.raw("DELETE FROM list_members WHERE list_id = \(bind: id)").run()
            try await database.raw("DELETE FROM lists WHERE id = \(bind: id)").run()
            try await database.insertAudit(audit)
            return true
        }
    }

    public func setMembership(workspaceID: String, listID: String, contactIDs: [String], state: MembershipState, source: String, at now: Timestamp) async throws -> Int {
        let kind = client.kind
        return try await client.withTransaction { database in
            var owned: [String] = []
            for chunk in contactIDs.chunked(Self.keysPerLookup) {
                var query = SQLQueryString("SELECT id FROM contacts WHERE workspace_id = ")
                query.bind(workspaceID); query.raw(" AND id IN "); query.bindList(Array(chunk))
                owned += try await database.raw(query).all().map { try $0.string("id") }
            }
            let changed = try await Self.changedMemberships(owned, listID: listID, state: state, in: database)
            try await Self.addMembers(changed, listID: listID, state: state, now: now, overwrite: true, kind: kind, to: database)
            try await Self.recordMembershipEvents(changed, workspaceID: workspaceID, listID: listID, kind: "list_\(state.rawValue)", source: source, now: now, in: database)
            return changed.count
        }
    }

    public func setMembership(workspaceID: String, listID: String, matching rule: SegmentRule, state: MembershipState, source: String, at now: Timestamp) async throws -> Int {
        let kind = client.kind
        return try await client.withTransaction { database in
            // One statement, in the database: a segment of a million contacts is never loaded into memory.
            var query = SQLQueryString("INSERT INTO list_members (list_id, contact_id, state, created_at, updated_at) SELECT ")
            query.bind(listID); query.raw(", contacts.id, "); query.bind(state.rawValue); query.raw(", ")
            query.bind(now.millisecondsSinceEpoch); query.raw(", "); query.bind(now.millisecondsSinceEpoch)
            query.raw(" FROM contacts WHERE ")
            try Self.appendFilter(ContactFilter(rule: rule), workspaceID: workspaceID, kind: kind, now: now, to: &query)
            query.raw(" ON CONFLICT (list_id, contact_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at WHERE list_members.state <> excluded.state RETURNING contact_id")
            let changed = try await database.raw(query).all().map { try $0.string("contact_id") }
            try await Self.recordMembershipEvents(changed, workspaceID: workspaceID, listID: listID, kind: "list_\(state.rawValue)", source: source, now: now, in: database)
            return changed.count
        }
    }

    public func removeMembers(workspaceID: String, listID: String, contactIDs: [String], source: String, at now: Timestamp) async throws -> Int {
        try await client.withTransaction { database in
            var removed: [String] = []
            for chunk in contactIDs.chunked(Self.keysPerLookup) {
                var query = SQLQueryString("DELETE FROM list_members WHERE list_id = ")
                query.bind(listID)
                query.raw(" AND contact_id IN (SELECT id FROM contacts WHERE workspace_id = "); query.bind(workspaceID)
                query.raw(" AND id IN "); query.bindList(Array(chunk)); query.raw(") RETURNING contact_id")
                removed += try await database.raw(query).all().map { try $0.string("contact_id") }
            }
            try await Self.recordMembershipEvents(removed, workspaceID: workspaceID, listID: listID, kind: "list_removed", source: source, now: now, in: database)
            return removed.count
        }
    }

    public func contactIDs(workspaceID: String, emailKeys: [String]) async throws -> [String: String] {
        try await client.withReader { database in
            var found: [String: String] = [:]
            for chunk in emailKeys.chunked(Self.keysPerLookup) {
                var query = SQLQueryString("SELECT id, email_key FROM contacts WHERE workspace_id = ")
                query.bind(workspaceID); query.raw(" AND email_key IN "); query.bindList(Array(chunk))
                for row in try await database.raw(query).all() { found[try row.string("email_key")] = try row.string("id") }
            }
            return found
        }
    }

    /// The contacts among `ids` whose membership would change (not in the list, or in another state).
    private static func changedMemberships(_ ids: [String], listID: String, state: MembershipState, in database: any SQLDatabase) async throws -> [String] {
        var unchanged = Set<String>()
        for chunk in ids.chunked(keysPerLookup) {
            var query = SQLQueryString("SELECT contact_id FROM list_members WHERE list_id = ")
            query.bind(listID); query.raw(" AND state = "); query.bind(state.rawValue); query.raw(" AND contact_id IN "); query.bindList(Array(chunk))
            for row in try await database.raw(query).all() { unchanged.insert(try row.string("contact_id")) }
        }
        var seen = Set<String>()
        return ids.filter { !unchanged.contains($0) && seen.insert($0).inserted }
    }

    private static func recordMembershipEvents(_ ids: [String], workspaceID: String, listID: String, kind: String, source: String, now: Timestamp, in database: any SQLDatabase) async throws {
        for chunk in ids.chunked(rowsPerStatement) {
            var query = SQLQueryString("INSERT INTO contact_events (workspace_id, contact_id, occurred_at, kind, detail) VALUES ")
            for (index, id) in chunk.enumerated() {
                if index > 0 { query.raw(", ") }
                query.raw("("); query.bind(workspaceID); query.raw(", "); query.bind(id); query.raw(", "); query.bind(now.millisecondsSinceEpoch)
                query.raw(", "); query.bind(kind); query.raw(", "); query.bind("\(listID) via \(source)"); query.raw(")")
            }
            try await database.raw(query).run()
        }
    }

    static func listSummary(from row: any SQLRow) throws -> ListSummary {
        ListSummary(
            list: ContactList(
                id: try row.string("id"), workspaceID: try row.string("workspace_id"), name: try row.string("name"),
                description: try row.optionalString("description"), createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at")
            ),
            counts: ListCounts(
                subscribed: Int(try row.int64("subscribed")), unsubscribed: Int(try row.int64("unsubscribed")), pending: Int(try row.int64("pending"))
            )
        )
    }
}
