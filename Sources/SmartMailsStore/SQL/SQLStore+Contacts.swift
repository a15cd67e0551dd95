import SQLKit
import SmartMailsCore

extension SQLStore: ContactStore {
    public func contacts(workspaceID: String, filter: ContactFilter, limit: Int, afterID: String?, now: Timestamp) async throws -> [Contact] {
        let kind = client.kind
        return try await client.withReader { database in
            var query = SQLQueryString("SELECT \(unsafeRaw: ContactRows.selectColumns(kind)) FROM contacts WHERE ")
            try Self.appendFilter(filter, workspaceID: workspaceID, kind: kind, now: now, to: &query)
            if let afterID { query.raw(" AND contacts.id > "); query.bind(afterID) }
            query.raw(" ORDER BY contacts.id LIMIT \(limit)")
            return try await database.raw(query).all().map(ContactRows.contact(from:))
        }
    }

    public func countContacts(workspaceID: String, filter: ContactFilter, now: Timestamp) async throws -> Int {
        let kind = client.kind
        return try await client.withReader { database in
            var query = SQLQueryString("SELECT COUNT(*) AS total FROM contacts WHERE ")
            try Self.appendFilter(filter, workspaceID: workspaceID, kind: kind, now: now, to: &query)
            return Int(try await database.raw(query).first()?.int64("total") ?? 0)
        }
    }

    public func attributeKeys(workspaceID: String, filter: ContactFilter, now: Timestamp) async throws -> [String] {
        let kind = client.kind
        return try await client.withReader { database in
            var query = SQLQueryString(kind == .postgres
                ? "SELECT DISTINCT jsonb_object_keys(contacts.attributes) AS name FROM contacts WHERE "
                : "SELECT DISTINCT json_each.key AS name FROM contacts, json_each(contacts.attributes) WHERE ")
            try Self.appendFilter(filter, workspaceID: workspaceID, kind: kind, now: now, to: &query)
            return try await database.raw(query).all().map { try $0.string("name") }.sorted()
        }
    }

    /// The WHERE clause of a contact read: always the workspace first, then each part of the filter.
    static func appendFilter(_ filter: ContactFilter, workspaceID: String, kind: DatabaseKind, now: Timestamp, to query: inout SQLQueryString) throws {
        query.raw("contacts.workspace_id = "); query.bind(workspaceID)
        if let prefix = filter.emailPrefix {
            query.raw(" AND contacts.email_key LIKE "); query.bind(likeEscaped(prefix.lowercased()) + "%"); query.raw(" ESCAPE '\\'")
        }
        if let status = filter.status { query.raw(" AND contacts.status = "); query.bind(status.rawValue) }
        if let since = filter.updatedSince { query.raw(" AND contacts.updated_at >= "); query.bind(since.millisecondsSinceEpoch) }
        if let tag = filter.tag {
            query.raw(" AND ")
            TagCondition(anyOf: [tag]).append(to: &query, in: SegmentSQL(kind: kind, now: now))
        }
        if let listID = filter.listID {
            query.raw(" AND ")
            ListCondition(listIDs: [listID], state: nil).append(to: &query, in: SegmentSQL(kind: kind, now: now))
        }
        if let rule = filter.rule {
            query.raw(" AND ")
            try SegmentSQL(kind: kind, now: now).append(rule, to: &query)
        }
    }

    public func contact(workspaceID: String, id: String) async throws -> Contact? {
        let kind = client.kind
        return try await client.withReader { database in
            try await database.raw("""
                SELECT \(unsafeRaw: ContactRows.selectColumns(kind)) FROM contacts WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)
                """).first().map(ContactRows.contact(from:))
        }
    }

    public func contacts(workspaceID: String, ids: [String], emailKeys: [String]) async throws -> [Contact] {
        guard !ids.isEmpty || !emailKeys.isEmpty else { return [] }
        let kind = client.kind
        return try await client.withReader { database in
            var query: SQLQueryString = "SELECT \(unsafeRaw: ContactRows.selectColumns(kind)) FROM contacts WHERE workspace_id = \(bind: workspaceID) AND (id IN "
            query.bindSet(ids, kind: kind)
            query.raw(" OR email_key IN ")
            query.bindSet(emailKeys, kind: kind)
            query.raw(")")
            return try await database.raw(query).all().map(ContactRows.contact(from:))
        }
    }

    public func eraseContact(workspaceID: String, id: String, at now: Timestamp, audit: AuditEvent) async throws -> Contact? {
        let kind = client.kind
        return try await client.withTransaction { database in
            guard let contact = try await database.raw("""
                SELECT \(unsafeRaw: ContactRows.selectColumns(kind)) FROM contacts WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)
                """).first().map(ContactRows.contact(from:))
            else { return nil }
            try await database.raw("DELETE FROM list_members WHERE contact_id = \(bind: id)").run()
            try await database.raw("DELETE FROM contact_events WHERE contact_id = \(bind: id)").run()
            try await database.raw("DELETE FROM contacts WHERE id = \(bind: id)").run()
            if contact.status.isSuppression {
                try await database.raw("""
                    INSERT INTO suppressions (workspace_id, email_hash, reason, created_at)
                    VALUES (\(bind: workspaceID), \(bind: contact.email.suppressionHash(workspaceID: workspaceID)), \(bind: contact.status.rawValue), \(bind: now.millisecondsSinceEpoch))
                    ON CONFLICT (workspace_id, email_hash) DO UPDATE SET reason = excluded.reason
                    """).run()
            }
            try await database.insertAudit(audit)
            return contact
        }
    }

    public func contactEvents(workspaceID: String, contactID: String, limit: Int) async throws -> [ContactEvent] {
        try await client.withReader { database in
            try await database.raw("""
                SELECT occurred_at, kind, detail FROM contact_events WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: contactID)
                ORDER BY occurred_at DESC LIMIT \(unsafeRaw: String(limit))
                """).all().map { row in
                ContactEvent(occurredAt: try row.timestamp("occurred_at"), kind: try row.string("kind"), detail: try row.string("detail"))
            }
        }
    }

    public func memberships(workspaceID: String, contactID: String) async throws -> [ListMembership] {
        try await client.withReader { database in
            try await database.raw("""
                SELECT lists.id, lists.name, list_members.state, list_members.updated_at FROM list_members
                JOIN lists ON lists.id = list_members.list_id
                WHERE lists.workspace_id = \(bind: workspaceID) AND list_members.contact_id = \(bind: contactID) ORDER BY lists.name
                """).all().map { row in
                ListMembership(
                    listID: try row.string("id"), listName: try row.string("name"),
                    state: try row.decoded("state", table: "list_members", as: MembershipState.init(rawValue:)), updatedAt: try row.timestamp("updated_at")
                )
            }
        }
    }
}
