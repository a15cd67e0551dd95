import SQLKit
import SmartMailsCore

extension SQLStore {
    /// Rows per multi-row INSERT: 18 binds each keeps a statement well under SQLite's 32,766 and PostgreSQL's 65,535.
    static let rowsPerStatement = 500
    /// Values per `IN (…)` list when looking existing contacts up.
    static let keysPerLookup = 500

    public func upsertContacts(
        workspaceID: String, _ items: [ContactUpsert], policy: ConflictPolicy, listID: String?, source: String, now: Timestamp
    ) async throws -> [UpsertOutcome] {
        let kind = client.kind
        return try await client.withTransaction { database in
            var plan = UpsertPlan(workspaceID: workspaceID, policy: policy, now: now)
            try await plan.loadExisting(for: items, kind: kind, from: database)
            let outcomes = items.map { plan.apply($0) }
            try await Self.write(plan.writes, kind: kind, source: source, now: now, to: database)
            if let listID {
                let members = outcomes.compactMap(\.contact?.id)
                try await Self.addMembers(members, listID: listID, state: .subscribed, now: now, overwrite: false, to: database)
            }
            return outcomes
        }
    }

    private static func write(_ writes: [UpsertPlan.Write], kind: DatabaseKind, source: String, now: Timestamp, to database: any SQLDatabase) async throws {
        for chunk in writes.chunked(rowsPerStatement) {
            var query = SQLQueryString("INSERT INTO contacts (\(unsafeRaw: ContactRows.insertColumns)) VALUES ")
            for (index, write) in chunk.enumerated() {
                if index > 0 { query.raw(", ") }
                ContactRows.appendValues(write.contact, kind: kind, to: &query)
            }
            query.raw(" ON CONFLICT (id) DO UPDATE SET \(ContactRows.updateAssignments)")
            try await database.raw(query).run()

            var events = SQLQueryString("INSERT INTO contact_events (workspace_id, contact_id, occurred_at, kind, detail) VALUES ")
            for (index, write) in chunk.enumerated() {
                if index > 0 { events.raw(", ") }
                events.raw("("); events.bind(write.contact.workspaceID); events.raw(", "); events.bind(write.contact.id); events.raw(", ")
                events.bind(now.millisecondsSinceEpoch); events.raw(", "); events.bind(write.previous == nil ? "created" : "updated"); events.raw(", ")
                events.bind(write.detail(source: source)); events.raw(")")
            }
            try await database.raw(events).run()
        }
    }

    /// Adds the contacts to the list as `state`; with `overwrite`, members in another state are moved to it.
    static func addMembers(_ contactIDs: [String], listID: String, state: MembershipState, now: Timestamp, overwrite: Bool, to database: any SQLDatabase) async throws {
        for chunk in contactIDs.chunked(rowsPerStatement * 2) {
            var query = SQLQueryString("INSERT INTO list_members (list_id, contact_id, state, created_at, updated_at) VALUES ")
            for (index, id) in chunk.enumerated() {
                if index > 0 { query.raw(", ") }
                query.raw("("); query.bind(listID); query.raw(", "); query.bind(id); query.raw(", "); query.bind(state.rawValue); query.raw(", ")
                query.bind(now.millisecondsSinceEpoch); query.raw(", "); query.bind(now.millisecondsSinceEpoch); query.raw(")")
            }
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
    private var seen: [String: Int] = [:]
    private var index = 0
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
        for (column, values) in [("email_key", emailKeys), ("external_id", externalIDs), ("id", ids)] where !values.isEmpty {
            for chunk in Array(values).chunked(SQLStore.keysPerLookup) {
                var query = SQLQueryString("SELECT \(unsafeRaw: ContactRows.selectColumns(kind)) FROM contacts WHERE contacts.workspace_id = ")
                query.bind(workspaceID)
                query.raw(" AND contacts.\(column) IN ")
                query.bindList(chunk)
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
            query.bindList(chunk)
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
        defer { index += 1 }
        guard let matchKey = item.matchKey else {
            let param = item.match == .externalID ? "external_id" : "email"
            return .failed(code: "validation_failed", param: param, message: "The item has no \(param) to match a contact by.")
        }
        if let first = seen[matchKey] {
            return .failed(code: "duplicate_in_batch", param: item.match == .externalID ? "external_id" : "email",
                           message: "Item \(first) has the same \(item.match == .externalID ? "external_id" : "email"); an item is applied once.")
        }
        seen[matchKey] = index
        let existingID: String? = switch item.match {
        case .email: item.changes.email.flatMap { idByEmail[$0.key] }
        case .externalID: item.changes.externalID.flatMap { idByExternalID[$0] }
        case .id(let id): contacts[id] != nil ? id : nil
        }
        let result: Contact
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
            return .failed(code: "email_taken", param: "email", message: "\(result.email.address) is contact \(owner) already.")
        }
        if let externalID = result.externalID, let owner = idByExternalID[externalID], owner != result.id {
            return .failed(code: "external_id_taken", param: "external_id", message: "external_id '\(externalID.prefix(100))' is contact \(owner) already.")
        }
        if let previous, result.sameContent(as: previous) { return .unchanged(previous) }
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
