import SmartMailsCore
import SmartMailsStore

/// Saved segments, their members, and previews of rules not saved yet.
public struct SegmentService: Sendable {
    public typealias Store = SegmentStore & ContactStore
    let store: any Store

    public init(store: any Store) { self.store = store }

    /// A rule from its JSON, or the error naming where it is wrong.
    public static func rule(_ json: JSONValue) throws -> SegmentRule {
        do {
            return try SegmentRuleParser.parse(json)
        } catch {
            throw ContactError.invalidRule(error)
        }
    }

    static func validName(_ name: String) throws(ValidationError) -> String {
        let trimmed = String(name.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
        guard !trimmed.isEmpty, trimmed.count <= 200 else { throw ValidationError(param: "name", message: "A segment's name is 1 to 200 characters.") }
        return trimmed
    }

    public func create(name: String, rule json: JSONValue, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> Segment {
        let segment = Segment(
            id: ResourceID.make(prefix: Segment.idPrefix, at: now), workspaceID: workspaceID, name: try Self.validName(name), ruleJSON: json,
            rule: try Self.rule(json), createdAt: now, updatedAt: now
        )
        try await store.insertSegment(segment, audit: actor.audit(.segmentCreated, workspaceID: workspaceID, targetType: "segment", targetID: segment.id, changes: ["name": segment.name], at: now))
        return segment
    }

    public func segment(id: String, workspaceID: String) async throws -> Segment {
        guard ResourceID.isWellFormed(id, prefix: Segment.idPrefix), let segment = try await store.segment(workspaceID: workspaceID, id: id) else {
            throw ContactError.notFound(kind: "segment", id: id)
        }
        return segment
    }

    public func segments(workspaceID: String, page: PageRequest) async throws -> Page<Segment> {
        Page(rows: try await store.segments(workspaceID: workspaceID, limit: page.limit + 1, afterID: page.afterID), limit: page.limit, id: \.id)
    }

    public func update(id: String, name: String?, rule json: JSONValue?, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> Segment {
        var segment = try await segment(id: id, workspaceID: workspaceID)
        var changes: [String: String] = [:]
        if let name { segment.name = try Self.validName(name); changes["name"] = segment.name }
        if let json { segment.rule = try Self.rule(json); segment.ruleJSON = json; changes["rule"] = "changed" }
        segment.updatedAt = now
        let audit = actor.audit(.segmentUpdated, workspaceID: workspaceID, targetType: "segment", targetID: id, changes: changes, at: now)
        guard try await store.updateSegment(segment, audit: audit) else { throw ContactError.notFound(kind: "segment", id: id) }
        return segment
    }

    public func delete(id: String, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> Segment {
        let segment = try await segment(id: id, workspaceID: workspaceID)
        let audit = actor.audit(.segmentDeleted, workspaceID: workspaceID, targetType: "segment", targetID: id, changes: ["name": segment.name], at: now)
        guard try await store.deleteSegment(workspaceID: workspaceID, id: id, audit: audit) else { throw ContactError.notFound(kind: "segment", id: id) }
        return segment
    }

    public func contacts(of rule: SegmentRule, workspaceID: String, page: PageRequest, now: Timestamp = .now) async throws -> Page<Contact> {
        let rows = try await store.contacts(workspaceID: workspaceID, filter: ContactFilter(rule: rule), limit: page.limit + 1, afterID: page.afterID, now: now)
        return Page(rows: rows, limit: page.limit, id: \.id)
    }

    public func count(of rule: SegmentRule, workspaceID: String, now: Timestamp = .now) async throws -> Int {
        try await store.countContacts(workspaceID: workspaceID, filter: ContactFilter(rule: rule), now: now)
    }

    /// `POST /v1/segments/preview`: how many contacts an unsaved rule matches, and the first of them.
    public func preview(_ json: JSONValue, workspaceID: String, limit: Int, now: Timestamp = .now) async throws -> (count: Int, contacts: Page<Contact>) {
        let rule = try Self.rule(json)
        async let count = count(of: rule, workspaceID: workspaceID, now: now)
        async let page = contacts(of: rule, workspaceID: workspaceID, page: PageRequest(limit: limit, afterID: nil), now: now)
        return (try await count, try await page)
    }
}
