import PostgresKit
import SQLKit
import SmartMailsCore

extension SQLStore {
    /// Rows per INSERT (sent as one JSON array bind).
    static let rowsPerStatement = 1000
    /// Keys per lookup of existing contacts (one JSON bind each).
    static let keysPerLookup = 5000

    public func upsertContacts(
        workspaceID: String, _ items: [ContactUpsert], policy: ConflictPolicy, listID: String?, source: String, now: Timestamp
    ) async throws -> [UpsertOutcome] {
        let kind = client.kind
        // Two PostgreSQL nodes creating the same address at once: the second transaction's insert breaks the unique
        // index and rolls back; planned again, it finds the first's contact and updates it instead.
        var attempt = 1
        while true {
            do {
                return try await upsertOnce(workspaceID: workspaceID, items, policy: policy, listID: listID, source: source, now: now, kind: kind)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" && attempt < 3 {
                attempt += 1
            }
        }
    }

    private func upsertOnce(
        workspaceID: String, _ items: [ContactUpsert], policy: ConflictPolicy, listID: String?, source: String, now: Timestamp, kind: DatabaseKind
    ) async throws -> [UpsertOutcome] {
        try await client.withTransaction { database in
            var plan = UpsertPlan(workspaceID: workspaceID, policy: policy, now: now)
            try await plan.loadExisting(for: items, kind: kind, from: database)
            let outcomes = items.map { plan.apply($0) }
            try await Self.write(plan.writes, kind: kind, source: source, now: now, to: database)
            if let listID {
                let members = outcomes.compactMap(\.contact?.id)
                try await Self.addMembers(members, listID: listID, state: .subscribed, now: now, overwrite: false, kind: kind, to: database)
            }
            return outcomes
        }
    }

    private static func write(_ writes: [UpsertPlan.Write], kind: DatabaseKind, source: String, now: Timestamp, to database: any SQLDatabase) async throws {
        for chunk in writes.chunked(rowsPerStatement) {
            var query = SQLQueryString("INSERT INTO contacts (\(unsafeRaw: ContactRows.insertColumns)) ")
            ContactRows.appendRowSource(chunk.map(\.contact), kind: kind, to: &query)
            query.raw(" ON CONFLICT (id) DO UPDATE SET \(ContactRows.updateAssignments)")
            try await database.raw(query).run()

            var events = "["
            for (index, write) in chunk.enumerated() {
                if index > 0 { events += "," }
                events += "{\"c\":\"\(write.contact.id)\",\"k\":\"\(write.previous == nil ? "created" : "updated")\",\"d\":"
                JSONValue.writeString(write.detail(source: source), to: &events)
                events += "}"
            }
            events += "]"
            var insert = SQLQueryString("INSERT INTO contact_events (workspace_id, contact_id, occurred_at, kind, detail) SELECT ")
            insert.bind(chunk[chunk.startIndex].contact.workspaceID)
            if kind == .postgres {
                insert.raw(", c, "); insert.bind(now.millisecondsSinceEpoch); insert.raw(", k, d FROM jsonb_to_recordset(")
                insert.bind(events); insert.raw("::jsonb) AS r(c text, k text, d text)")
            } else {
                insert.raw(", json_extract(value, '$.c'), "); insert.bind(now.millisecondsSinceEpoch)
                insert.raw(", json_extract(value, '$.k'), json_extract(value, '$.d') FROM json_each("); insert.bind(events); insert.raw(")")
            }
            try await database.raw(insert).run()
        }
    }

    /// Adds the contacts to the list as `state`; with `overwrite`, members in another state are moved to it.
    static func addMembers(_ contactIDs: [String], listID: String, state: MembershipState, now: Timestamp, overwrite: Bool, kind: DatabaseKind, to database: any SQLDatabase) async throws {
        for chunk in contactIDs.chunked(rowsPerStatement * 4) {
            var query = SQLQueryString("INSERT INTO list_members (list_id, contact_id, state, created_at, updated_at) SELECT ")
            query.bind(listID); query.raw(", value, "); query.bind(state.rawValue); query.raw(", ")
            query.bind(now.millisecondsSinceEpoch); query.raw(", "); query.bind(now.millisecondsSinceEpoch)
            query.raw(kind == .postgres ? " FROM jsonb_array_elements_text(" : " FROM json_each(")
            query.bind(JSONValue.array(chunk.map(JSONValue.string)).jsonText)
            query.raw(kind == .postgres ? "::jsonb) AS value" : ") WHERE true")
            query.raw(overwrite
                ? " ON CONFLICT (list_id, contact_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at WHERE list_members.state <> excluded.state"
                : " ON CONFLICT (list_id, contact_id) DO NOTHING")
            try await database.raw(query).run()
        }
    }
}

/// A bulk upsert worked out in memory against the contacts it touches, before anything is written: each item's
/// outcome, in order, with later items seeing what earlier ones did.
struct UpsertPlan {
    struct Write {
        var contact: Contact
        var previous: Contact?

        func detail(source: String) -> String {
            guard let previous else { return "via \(source)" }
            var fields: [String] = []
            if contact.email != previous.email { fields.append("email") }
            if contact.firstName != previous.firstName { fields.append("first_name") }
            if contact.lastName != previous.lastName { fields.append("last_name") }
            if contact.externalID != previous.externalID { fields.append("external_id") }
            if contact.attributes != previous.attributes { fields.append("attributes") }
            if contact.tags != previous.tags { fields.append("tags") }
            if contact.timeZone != previous.timeZone { fields.append("time_zone") }
            if contact.locale != previous.locale { fields.append("locale") }
            if contact.status != previous.status { fields.append("status \(previous.status.rawValue) → \(contact.status.rawValue)") }
            if contact.consent != previous.consent { fields.append("consent") }
            return fields.joined(separator: ", ") + " via \(source)"
        }
    }

    let workspaceID: String
    let policy: ConflictPolicy
    let now: Timestamp
    private var contacts: [String: Contact] = [:]
    private var idByEmail: [String: String] = [:]
    private var idByExternalID: [String: String] = [:]
    /// Suppressed address hashes (erased contacts) to the status they come back with.
    private var suppressed: [String: ContactStatus] = [:]
    /// Match keys of the items applied so far; a failed item does not count, so a later one may do what it could not.
    private var seen = Set<String>()
    private var writeOrder: [String] = []
    private var pending: [String: Write] = [:]

    init(workspaceID: String, policy: ConflictPolicy, now: Timestamp) {
        self.workspaceID = workspaceID
        self.policy = policy
        self.now = now
    }

    var writes: [Write] { writeOrder.compactMap { pending[$0] } }

    mutating func loadExisting(for items: [ContactUpsert], kind: DatabaseKind, from database: any SQLDatabase) async throws {
        var emailKeys = Set<String>(), externalIDs = Set<String>(), ids = Set<String>()
        for item in items {
            if let email = item.changes.email { emailKeys.insert(email.key) }
            if let externalID = item.changes.externalID, !externalID.isEmpty { externalIDs.insert(externalID) }
            if case .id(let id) = item.match { ids.insert(id) }
        }
        // By e-mail first: a re-import finds every contact there, and needs no second read for their external ids.
        for (column, keys) in [("email_key", emailKeys), ("external_id", externalIDs), ("id", ids)] {
            let values = switch column {
            case "external_id": keys.filter { idByExternalID[$0] == nil }
            case "id": keys.filter { contacts[$0] == nil }
            default: keys
            }
            guard !values.isEmpty else { continue }
            for chunk in Array(values).chunked(SQLStore.keysPerLookup) {
                var query = SQLQueryString("SELECT \(unsafeRaw: ContactRows.selectColumns(kind)) FROM contacts WHERE contacts.workspace_id = ")
                query.bind(workspaceID)
                query.raw(" AND contacts.\(column) IN ")
                query.bindSet(chunk, kind: kind)
                // Locked until the commit: a PATCH, an unsubscribe or an erasure committing meanwhile is not
                // overwritten with what was read before it (SQLite's one writer reads inside its transaction anyway).
                if kind == .postgres { query.raw(" FOR UPDATE") }
                for row in try await database.raw(query).all() { remember(try ContactRows.contact(from: row)) }
            }
        }
        let unknown = emailKeys.filter { idByEmail[$0] == nil }
        var hashToKey: [String: String] = [:]
        for key in unknown { hashToKey[ContactEmail(trusted: key).suppressionHash(workspaceID: workspaceID)] = key }
        for chunk in Array(hashToKey.keys).chunked(SQLStore.keysPerLookup) {
            var query = SQLQueryString("SELECT email_hash, reason FROM suppressions WHERE workspace_id = ")
            query.bind(workspaceID)
            query.raw(" AND email_hash IN ")
            query.bindSet(chunk, kind: kind)
            for row in try await database.raw(query).all() {
                suppressed[try row.string("email_hash")] = ContactStatus(rawValue: try row.string("reason")) ?? .unsubscribed
            }
        }
    }

    private mutating func remember(_ contact: Contact) {
        contacts[contact.id] = contact
        idByEmail[contact.email.key] = contact.id
        if let externalID = contact.externalID { idByExternalID[externalID] = contact.id }
    }

    private mutating func forget(_ contact: Contact) {
        if idByEmail[contact.email.key] == contact.id { idByEmail[contact.email.key] = nil }
        if let externalID = contact.externalID, idByExternalID[externalID] == contact.id { idByExternalID[externalID] = nil }
    }

    mutating func apply(_ item: ContactUpsert) -> UpsertOutcome {
        guard let matchKey = item.matchKey else {
            let param = item.match == .externalID ? "external_id" : "email"
            return .failed(code: "validation_failed", param: param, message: "The item has no \(param) to match a contact by.")
        }
        if seen.contains(matchKey) {
            return .failed(code: "duplicate_in_batch", param: item.match == .externalID ? "external_id" : "email",
                           message: "An earlier item has the same \(item.match == .externalID ? "external_id" : "email"); an item is applied once.")
        }
        let existingID: String? = switch item.match {
        case .email: item.changes.email.flatMap { idByEmail[$0.key] }
        case .externalID: item.changes.externalID.flatMap { idByExternalID[$0] }
        case .id(let id): contacts[id] != nil ? id : nil
        }
        var result: Contact
        let previous: Contact?
        do {
            if let existingID, let existing = contacts[existingID] {
                if item.createOnly {
                    return .failed(code: "contact_exists", param: "email", message: "\(existing.email.address) is contact \(existing.id) already; update it with PATCH or PUT.")
                }
                previous = existing
                var changes = item.changes
                if item.emailOnlyMatches { changes.email = nil }
                result = try existing.applying(changes, policy: policy, now: now)
            } else {
                if case .id(let id) = item.match { return .failed(code: "not_found", param: "id", message: "No contact with id '\(id)' exists in this workspace.") }
                previous = nil
                let hash = item.changes.email.map { $0.suppressionHash(workspaceID: workspaceID) }
                result = try Contact.new(
                    id: ResourceID.make(prefix: Contact.idPrefix, at: now), workspaceID: workspaceID, changes: item.changes,
                    suppressedAs: hash.flatMap { suppressed[$0] }, now: now
                )
            }
        } catch {
            return .failed(code: error.param == "status" ? "status_locked" : "validation_failed", param: error.param, message: error.message)
        }
        if let owner = idByEmail[result.email.key], owner != result.id {
            return .failed(code: "email_taken", param: "email", message: "That address is contact \(owner)'s already.")
        }
        if let externalID = result.externalID, let owner = idByExternalID[externalID], owner != result.id {
            return .failed(code: "external_id_taken", param: "external_id", message: "external_id '\(externalID.prefix(100))' is contact \(owner) already.")
        }
        // An address changed to one that was suppressed (and its contact erased) keeps that suppression.
        if let previous, previous.email.key != result.email.key, let status = suppressed[result.email.suppressionHash(workspaceID: workspaceID)] {
            result.status = status
        }
        if let previous, result.sameContent(as: previous) {
            seen.insert(matchKey)
            return .unchanged(previous)
        }
        seen.insert(matchKey)
        if let before = contacts[result.id] { forget(before) }
        remember(result)
        if pending[result.id] == nil { writeOrder.append(result.id) }
        // A contact written twice in one batch keeps the state it had before the batch as its `previous`.
        pending[result.id] = Write(contact: result, previous: pending[result.id].map(\.previous) ?? previous)
        return previous == nil ? .created(result) : .updated(result)
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
