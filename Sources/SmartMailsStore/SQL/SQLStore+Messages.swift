import Foundation
import SQLKit
import SmartMailsCore

extension SQLStore: MessageStore {
    static let queueChannel = "smartmails_queue"
    /// Rows per multi-row INSERT: well under SQLite's and PostgreSQL's bind limits.
    private static let insertChunk = 200

    public func insertMessages(_ messages: [Message], charging charge: RecipientQuotaCharge?) async throws {
        guard !messages.isEmpty else { return }
        let kind = client.kind
        let rows = try messages.map { message in
            (message, try Self.json(message.content), try Self.json(message.tags), try Self.json(message.metadata))
        }
        try await client.withTransaction { database in
            if let charge { try await Self.charge(charge, in: database) }
            for chunk in rows.chunked(Self.insertChunk) {
                var insert = SQLQueryString("""
                    INSERT INTO messages (id, workspace_id, api_key_id, mode, status, from_address, recipient, subject, tags, metadata,
                        content, send_at, message_id_header, return_path, created_at, updated_at, template_id, template_version) VALUES
                    """)
                var events = SQLQueryString("INSERT INTO message_events (message_id, position, kind, at) VALUES ")
                var queue = SQLQueryString("INSERT INTO delivery_queue (message_id, workspace_id, due_at) VALUES ")
                for (index, (message, content, tags, metadata)) in chunk.enumerated() {
                    let separator = index == 0 ? "" : ", "
                    insert.raw(separator + "(")
                    insert.bindValues([
                        message.id, message.workspaceID, message.apiKeyID, message.mode.rawValue, message.status.rawValue,
                        message.content.from.email, message.content.to.first?.email.lowercased() ?? "", message.content.subject,
                        tags, metadata, content,
                    ])
                    insert.raw(", ")
                    insert.bind(message.sendAt.millisecondsSinceEpoch)
                    insert.raw(", ")
                    insert.bindValues([message.messageIDHeader, message.returnPath])
                    insert.raw(", ")
                    insert.bind(message.createdAt.millisecondsSinceEpoch)
                    insert.raw(", ")
                    insert.bind(message.updatedAt.millisecondsSinceEpoch)
                    insert.raw(", ")
                    insert.bind(message.template?.id)
                    insert.raw(", ")
                    insert.bind(message.template.map { Int64($0.version) })
                    insert.raw(")")
                    events.raw(separator + "(")
                    events.bind(message.id)
                    events.raw(", 1, 'queued', ")
                    events.bind(message.createdAt.millisecondsSinceEpoch)
                    events.raw(")")
                    queue.raw(separator + "(")
                    queue.bindValues([message.id, message.workspaceID])
                    queue.raw(", ")
                    queue.bind(message.sendAt.millisecondsSinceEpoch)
                    queue.raw(")")
                }
                try await database.raw(insert).run()
                try await database.raw(events).run()
                try await database.raw(queue).run()
            }
            // Delivered on commit, to every node listening: a new message wakes a worker at once.
            if kind == .postgres { try await database.raw("SELECT pg_notify(\(bind: Self.queueChannel), '')").run() }
        }
    }

    public func recipientsCounted(keyID: String, day: String) async throws -> Int {
        try await client.withReader { database in
            let row = try await database.raw("SELECT recipients FROM key_daily_recipients WHERE key_id = \(bind: keyID) AND day = \(bind: day)").first()
            return Int(try row?.int64("recipients") ?? 0)
        }
    }

    /// Adds the charge to the day's count only while it stays within the quota, in one statement: on PostgreSQL two
    /// nodes charging the same key at once take turns on the row, and the second sees the first's count.
    private static func charge(_ charge: RecipientQuotaCharge, in database: any SQLDatabase) async throws {
        if charge.recipients <= charge.limit {
            let counted = try await database.raw("""
                INSERT INTO key_daily_recipients (key_id, day, recipients) VALUES (\(bind: charge.keyID), \(bind: charge.day), \(bind: Int64(charge.recipients)))
                ON CONFLICT (key_id, day) DO UPDATE SET recipients = key_daily_recipients.recipients + excluded.recipients
                WHERE key_daily_recipients.recipients + excluded.recipients <= \(bind: Int64(charge.limit))
                RETURNING recipients
                """).first()
            if counted != nil { return }
        }
        let row = try await database.raw("SELECT recipients FROM key_daily_recipients WHERE key_id = \(bind: charge.keyID) AND day = \(bind: charge.day)").first()
        throw RecipientQuotaExceeded(used: Int(try row?.int64("recipients") ?? 0), limit: charge.limit)
    }

    public func message(workspaceID: String, id: String) async throws -> Message? {
        try await client.withReader { database in
            guard let row = try await database.raw(
                "SELECT * FROM messages WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)"
            ).first() else { return nil }
            var message = try Self.message(from: row)
            message.events = try await Self.events(of: id, in: database)
            return message
        }
    }

    public func messages(workspaceID: String, filter: MessageFilter, limit: Int, beforeID: String?) async throws -> [Message] {
        try await client.withReader { database in
            var query = SQLQueryString("SELECT * FROM messages WHERE workspace_id = ")
            query.bind(workspaceID)
            if let beforeID { query.raw(" AND id < "); query.bind(beforeID) }
            if let status = filter.status { query.raw(" AND status = "); query.bind(status.rawValue) }
            if let recipient = filter.recipient { query.raw(" AND recipient = "); query.bind(recipient.lowercased()) }
            if let tag = filter.tag {
                // Tags are stored as a JSON array of strings that hold no quote, so the quoted tag matches exactly one.
                query.raw(" AND tags LIKE ")
                query.bind("%" + likeEscaped(try Self.json(tag)) + "%")
                query.raw(" ESCAPE '\\'")
            }
            if let after = filter.createdAfter { query.raw(" AND created_at >= "); query.bind(after.millisecondsSinceEpoch) }
            if let before = filter.createdBefore { query.raw(" AND created_at < "); query.bind(before.millisecondsSinceEpoch) }
            query.raw(" ORDER BY id DESC LIMIT \(limit)")
            return try await database.raw(query).all().map(Self.message(from:))
        }
    }

    public func cancelMessage(workspaceID: String, id: String, at now: Timestamp) async throws -> (message: Message, cancelled: Bool)? {
        let kind = client.kind
        let cancelled = try await client.withTransaction { database -> Bool in
            // Only a message no worker holds: one being handed to the transport cannot be taken back.
            let removed = try await database.raw("""
                DELETE FROM delivery_queue WHERE message_id = \(bind: id) AND workspace_id = \(bind: workspaceID) AND lease_until <= \(bind: now.millisecondsSinceEpoch)
                RETURNING message_id
                """).first()
            guard removed != nil else { return false }
            try await Self.settle([(id, .cancelled, MessageEvent(kind: .cancelled, at: now, detail: "Cancelled before delivery."))], kind: kind, in: database)
            return true
        }
        return try await message(workspaceID: workspaceID, id: id).map { ($0, cancelled) }
    }

    public func claimDeliveries(owner: String, limit: Int, now: Timestamp, leaseUntil: Timestamp) async throws -> [ClaimedDelivery] {
        let kind = client.kind
        return try await client.withTransaction { database in
            let now = now.millisecondsSinceEpoch
            // SKIP LOCKED: nodes claiming at once each take other rows instead of waiting for one another; the rows
            // stay locked to this transaction. SQLite has one writer, so its claims are serial anyway. A row that still
            // names an owner had its lease run out with no outcome recorded (a node died mid-send).
            let due = try await database.raw("""
                SELECT message_id, lease_owner FROM delivery_queue WHERE due_at <= \(bind: now) AND lease_until <= \(bind: now)
                ORDER BY due_at LIMIT \(unsafeRaw: String(limit))\(unsafeRaw: kind == .postgres ? " FOR UPDATE SKIP LOCKED" : "")
                """).all()
            guard !due.isEmpty else { return [] }
            var abandoned: Set<String> = []
            for row in due where try row.optionalString("lease_owner") != nil { abandoned.insert(try row.string("message_id")) }
            var dueIDs = SQLQueryString("")
            dueIDs.bindSet(try due.map { try $0.string("message_id") }, kind: kind)
            let claimed = try await database.raw("""
                UPDATE delivery_queue SET lease_owner = \(bind: owner), lease_until = \(bind: leaseUntil.millisecondsSinceEpoch),
                    attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, \(bind: now))
                WHERE message_id IN
                """ + dueIDs + " RETURNING message_id, attempts, first_attempt_at").all()
            guard !claimed.isEmpty else { return [] }
            var attempts: [String: (attempt: Int, first: Timestamp, abandoned: Bool)] = [:]
            for row in claimed {
                let id = try row.string("message_id")
                attempts[id] = (Int(try row.int64("attempts")), try row.timestamp("first_attempt_at"), abandoned.contains(id))
            }
            var ids = SQLQueryString("")
            ids.bindSet(attempts.keys, kind: kind)
            try await database.raw("UPDATE messages SET status = 'sending', updated_at = \(bind: now) WHERE id IN " + ids).run()
            try await database.raw("""
                INSERT INTO message_events (message_id, position, kind, at)
                SELECT m.id, (SELECT COALESCE(MAX(e.position), 0) + 1 FROM message_events e WHERE e.message_id = m.id), 'sending', \(bind: now)
                FROM messages m WHERE m.id IN
                """ + ids).run()
            if !abandoned.isEmpty {
                var abandonedIDs = SQLQueryString("")
                abandonedIDs.bindSet(abandoned, kind: kind)
                try await database.raw("""
                    UPDATE message_events SET detail = \(bind: ClaimedDelivery.abandonedLeaseDetail)
                    WHERE kind = 'sending' AND at = \(bind: now) AND message_id IN
                    """ + abandonedIDs).run()
            }
            let rows = try await database.raw("SELECT * FROM messages WHERE id IN " + ids + " ORDER BY id").all()
            return try rows.map { row in
                let message = try Self.message(from: row)
                let claim = attempts[message.id] ?? (1, Timestamp(millisecondsSinceEpoch: now), false)
                return ClaimedDelivery(message: message, attempt: claim.attempt, firstAttemptAt: claim.first, resumesAbandonedLease: claim.abandoned)
            }
        }
    }

    public func nextDeliveryDue() async throws -> Timestamp? {
        try await client.withReader { database in
            try await database.raw(
                "SELECT MIN(CASE WHEN lease_until > due_at THEN lease_until ELSE due_at END) AS due FROM delivery_queue"
            ).first()?.optionalTimestamp("due")
        }
    }

    public func recordDeliveries(_ outcomes: [DeliveryOutcome], owner: String) async throws -> Set<String> {
        guard !outcomes.isEmpty else { return [] }
        let kind = client.kind
        return try await client.withTransaction { database in
            var held: Set<String> = []
            let deferred = outcomes.filter { $0.status == .deferred && $0.event.nextAttemptAt != nil }
            let deferredIDs = Set(deferred.map(\.messageID))
            let settled = outcomes.filter { !deferredIDs.contains($0.messageID) }
            if !deferred.isEmpty {
                var update = SQLQueryString("UPDATE delivery_queue SET due_at = r.next_attempt_at, lease_owner = NULL, lease_until = 0 FROM ")
                update.bindRows(deferred.map(Self.eventRow), columns: Self.eventColumns, kind: kind)
                update.raw(" WHERE delivery_queue.message_id = r.id AND delivery_queue.lease_owner = ")
                update.bind(owner)
                update.raw(" RETURNING delivery_queue.message_id")
                for row in try await database.raw(update).all() { held.insert(try row.string("message_id")) }
            }
            if !settled.isEmpty {
                var ids = SQLQueryString("")
                ids.bindSet(settled.map(\.messageID), kind: kind)
                let deleted = try await database.raw(
                    "DELETE FROM delivery_queue WHERE lease_owner = \(bind: owner) AND message_id IN " + ids + " RETURNING message_id"
                ).all()
                for row in deleted { held.insert(try row.string("message_id")) }
            }
            // Another node took over the messages whose lease ran out; its outcomes are the ones that count.
            let recorded = outcomes.filter { held.contains($0.messageID) }
            guard !recorded.isEmpty else { return held }
            try await Self.settle(recorded.map { ($0.messageID, $0.status, $0.event) }, kind: kind, in: database)
            for outcome in recorded {
                for suppression in outcome.suppress { try await Self.put(suppression, workspaceID: outcome.workspaceID, in: database) }
            }
            return held
        }
    }

    public func releaseDeliveries(owner: String, messageIDs: [String], at now: Timestamp) async throws {
        guard !messageIDs.isEmpty else { return }
        let kind = client.kind
        try await client.withTransaction { database in
            var ids = SQLQueryString("")
            ids.bindSet(messageIDs, kind: kind)
            let released = try await database.raw(
                "UPDATE delivery_queue SET lease_owner = NULL, lease_until = 0 WHERE lease_owner = \(bind: owner) AND message_id IN " + ids + " RETURNING message_id"
            ).all()
            let event = MessageEvent(kind: .queued, at: now, detail: "Returned to the queue at shutdown.")
            try await Self.settle(try released.map { (try $0.string("message_id"), .queued, event) }, kind: kind, in: database)
        }
    }

    public func releaseAllLeases() async throws {
        try await client.withAutocommit { database in
            // The owner stays: the next claim tells from it that these messages may have been sent already.
            try await database.raw("UPDATE delivery_queue SET lease_until = 0 WHERE lease_until > 0").run()
        }
    }

    public func followQueue(_ onWake: @escaping @Sendable () -> Void) async throws -> Bool {
        try await client.listen(channel: Self.queueChannel) { _ in onWake() } != nil
    }

    /// The columns of an outcome row for `bindRows`.
    private static let eventColumns: [(name: String, type: String)] = [
        ("id", "text"), ("status", "text"), ("kind", "text"), ("at", "bigint"), ("detail", "text"), ("next_attempt_at", "bigint"),
    ]

    private static func eventRow(_ id: String, _ status: MessageStatus, _ event: MessageEvent) -> [String: JSONValue] {
        [
            "id": .string(id), "status": .string(status.rawValue), "kind": .string(event.kind.rawValue), "at": .integer(event.at.millisecondsSinceEpoch),
            "detail": event.detail.map(JSONValue.string) ?? .null, "next_attempt_at": event.nextAttemptAt.map { .integer($0.millisecondsSinceEpoch) } ?? .null,
        ]
    }

    private static func eventRow(_ outcome: DeliveryOutcome) -> [String: JSONValue] {
        eventRow(outcome.messageID, outcome.status, outcome.event)
    }

    /// Sets each message's status and appends its event to its timeline: two statements for any number of messages.
    private static func settle(_ changes: [(id: String, status: MessageStatus, event: MessageEvent)], kind: DatabaseKind, in database: any SQLDatabase) async throws {
        guard !changes.isEmpty else { return }
        let rows = changes.map { eventRow($0.id, $0.status, $0.event) }
        var update = SQLQueryString("UPDATE messages SET status = r.status, updated_at = r.at FROM ")
        update.bindRows(rows, columns: eventColumns, kind: kind)
        update.raw(" WHERE messages.id = r.id")
        try await database.raw(update).run()
        var insert = SQLQueryString("""
            INSERT INTO message_events (message_id, position, kind, at, detail, next_attempt_at)
            SELECT r.id, (SELECT COALESCE(MAX(e.position), 0) + 1 FROM message_events e WHERE e.message_id = r.id), r.kind, r.at, r.detail, r.next_attempt_at
            FROM
            """)
        insert.raw(" ")
        insert.bindRows(rows, columns: eventColumns, kind: kind)
        try await database.raw(insert).run()
    }

    private static func events(of id: String, in database: any SQLDatabase) async throws -> [MessageEvent] {
        try await database.raw("SELECT * FROM message_events WHERE message_id = \(bind: id) ORDER BY position").all().map { row in
            MessageEvent(
                kind: try row.decoded("kind", table: "message_events", as: MessageEvent.Kind.init(rawValue:)), at: try row.timestamp("at"),
                detail: try row.optionalString("detail"), nextAttemptAt: try row.optionalTimestamp("next_attempt_at")
            )
        }
    }

    static func message(from row: any SQLRow) throws -> Message {
        Message(
            id: try row.string("id"), workspaceID: try row.string("workspace_id"), apiKeyID: try row.optionalString("api_key_id"),
            mode: try row.decoded("mode", table: "messages", as: APIKeyMode.init(rawValue:)),
            status: try row.decoded("status", table: "messages", as: MessageStatus.init(rawValue:)),
            content: try decodeJSON(MessageContent.self, row, "content"), tags: try decodeJSON([String].self, row, "tags"),
            metadata: try decodeJSON([String: String].self, row, "metadata"), sendAt: try row.timestamp("send_at"),
            messageIDHeader: try row.string("message_id_header"), returnPath: try row.string("return_path"),
            createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"),
            template: try row.optionalString("template_id").map { TemplateReference(id: $0, version: Int(try row.optionalInt64("template_version") ?? 0)) }
        )
    }

    private static func decodeJSON<T: Decodable>(_ type: T.Type, _ row: any SQLRow, _ column: String) throws -> T {
        let text = try row.string(column)
        guard let value = try? JSONDecoder().decode(T.self, from: Data(text.utf8)) else {
            throw StoredValueError(table: "messages", column: column, value: String(text.prefix(60)))
        }
        return value
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}

extension SQLStore: SuppressionStore {
    public func suppressions(workspaceID: String, reason: Suppression.Reason?, limit: Int, afterAddress: String?) async throws -> [Suppression] {
        try await client.withReader { database in
            var query = SQLQueryString("SELECT * FROM suppression_list WHERE workspace_id = ")
            query.bind(workspaceID)
            if let reason { query.raw(" AND reason = "); query.bind(reason.rawValue) }
            if let afterAddress { query.raw(" AND address > "); query.bind(afterAddress) }
            query.raw(" ORDER BY address LIMIT \(limit)")
            return try await database.raw(query).all().map(Self.suppression(from:))
        }
    }

    public func suppression(workspaceID: String, address: String) async throws -> Suppression? {
        try await client.withReader { database in
            try await database.raw(
                "SELECT * FROM suppression_list WHERE workspace_id = \(bind: workspaceID) AND address = \(bind: address)"
            ).first().map(Self.suppression(from:))
        }
    }

    public func putSuppression(_ suppression: Suppression, workspaceID: String) async throws {
        try await client.withTransaction { database in try await Self.put(suppression, workspaceID: workspaceID, in: database) }
    }

    public func deleteSuppression(workspaceID: String, address: String) async throws -> Bool {
        try await client.withAutocommit { database in
            try await database.raw(
                "DELETE FROM suppression_list WHERE workspace_id = \(bind: workspaceID) AND address = \(bind: address) RETURNING address"
            ).first() != nil
        }
    }

    public func suppressedAddresses(workspaceID: String, among addresses: [String], at now: Timestamp) async throws -> Set<String> {
        guard !addresses.isEmpty else { return [] }
        let kind = client.kind
        return try await client.withReader { database in
            var query = SQLQueryString("SELECT address FROM suppression_list WHERE workspace_id = ")
            query.bind(workspaceID)
            query.raw(" AND (expires_at IS NULL OR expires_at > ")
            query.bind(now.millisecondsSinceEpoch)
            query.raw(") AND address IN ")
            query.bindSet(addresses, kind: kind)
            return Set(try await database.raw(query).all().map { try $0.string("address") })
        }
    }

    fileprivate static func put(_ suppression: Suppression, workspaceID: String, in database: any SQLDatabase) async throws {
        try await database.raw("""
            INSERT INTO suppression_list (workspace_id, address, reason, source, expires_at, created_at)
            VALUES (\(bind: workspaceID), \(bind: suppression.address), \(bind: suppression.reason.rawValue), \(bind: suppression.source),
                \(bind: suppression.expiresAt?.millisecondsSinceEpoch), \(bind: suppression.createdAt.millisecondsSinceEpoch))
            ON CONFLICT (workspace_id, address) DO UPDATE SET reason = excluded.reason, source = excluded.source,
                expires_at = excluded.expires_at, created_at = excluded.created_at
            """).run()
    }

    private static func suppression(from row: any SQLRow) throws -> Suppression {
        Suppression(
            address: try row.string("address"), reason: try row.decoded("reason", table: "suppression_list", as: Suppression.Reason.init(rawValue:)),
            source: try row.optionalString("source"), expiresAt: try row.optionalTimestamp("expires_at"), createdAt: try row.timestamp("created_at")
        )
    }
}

extension SQLQueryString {
    /// `?, ?, …` of the values.
    fileprivate mutating func bindValues(_ values: [String?]) {
        for (index, value) in values.enumerated() {
            if index > 0 { raw(", ") }
            bind(value)
        }
    }
}
