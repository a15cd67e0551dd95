import SmartMailsCore
import SmartMailsStore

/// Lists and their members: CRUD, and adding or removing members by id, by e-mail, or every contact of a segment.
public struct ListService: Sendable {
    public typealias Store = ListStore & SegmentStore & ContactStore
    /// Contact ids or e-mails per bulk membership change.
    public static let maximumMembersPerCall = 10_000

    let store: any Store

    public init(store: any Store) { self.store = store }

    public func create(name: String, description: String?, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> ListSummary {
        let list = ContactList(
            id: ResourceID.make(prefix: ContactList.idPrefix, at: now), workspaceID: workspaceID, name: try ContactList.validName(name),
            description: try ContactList.validDescription(description), createdAt: now, updatedAt: now
        )
        try await store.insertList(list, audit: actor.audit(.listCreated, workspaceID: workspaceID, targetType: "list", targetID: list.id, changes: ["name": list.name], at: now))
        return ListSummary(list: list, counts: ListCounts())
    }

    public func list(id: String, workspaceID: String) async throws -> ListSummary {
        guard ResourceID.isWellFormed(id, prefix: ContactList.idPrefix), let list = try await store.list(workspaceID: workspaceID, id: id) else {
            throw ContactError.notFound(kind: "list", id: id)
        }
        return list
    }

    public func lists(workspaceID: String, page: PageRequest) async throws -> Page<ListSummary> {
        Page(rows: try await store.lists(workspaceID: workspaceID, limit: page.limit + 1, afterID: page.afterID), limit: page.limit, id: \.list.id)
    }

    public func update(id: String, name: String?, description: String?, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> ListSummary {
        var summary = try await list(id: id, workspaceID: workspaceID)
        var changes: [String: String] = [:]
        if let name { summary.list.name = try ContactList.validName(name); changes["name"] = summary.list.name }
        if let description { summary.list.description = try ContactList.validDescription(description); changes["description"] = description }
        summary.list.updatedAt = now
        let audit = actor.audit(.listUpdated, workspaceID: workspaceID, targetType: "list", targetID: id, changes: changes, at: now)
        guard try await store.updateList(summary.list, audit: audit) else { throw ContactError.notFound(kind: "list", id: id) }
        return summary
    }

    public func delete(id: String, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> ListSummary {
        let summary = try await list(id: id, workspaceID: workspaceID)
        let audit = actor.audit(.listDeleted, workspaceID: workspaceID, targetType: "list", targetID: id, changes: ["name": summary.list.name], at: now)
        guard try await store.deleteList(workspaceID: workspaceID, id: id, audit: audit) else { throw ContactError.notFound(kind: "list", id: id) }
        return summary
    }

    /// Who a bulk membership change is about.
    public enum Members: Sendable {
        case ids([String])
        case emails([String])
        case segment(String)
    }

    /// Sets the members' state in the list (adding them); returns how many memberships changed. E-mails and ids
    /// that are not contacts of the workspace are reported back, not created.
    public func setMembers(_ members: Members, state: MembershipState, listID: String, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> (changed: Int, unknown: [String]) {
        _ = try await list(id: listID, workspaceID: workspaceID)
        let source = actor.channel
        switch members {
        case .segment(let segmentID):
            guard ResourceID.isWellFormed(segmentID, prefix: Segment.idPrefix), let segment = try await store.segment(workspaceID: workspaceID, id: segmentID) else {
                throw ContactError.notFound(kind: "segment", id: segmentID)
            }
            return (try await store.setMembership(workspaceID: workspaceID, listID: listID, matching: segment.rule, state: state, source: source, at: now), [])
        case .ids(let ids), .emails(let ids):
            let (contactIDs, unknown) = try await resolve(members, count: ids.count, workspaceID: workspaceID)
            return (try await store.setMembership(workspaceID: workspaceID, listID: listID, contactIDs: contactIDs, state: state, source: source, at: now), unknown)
        }
    }

    public func removeMembers(_ members: Members, listID: String, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> (changed: Int, unknown: [String]) {
        _ = try await list(id: listID, workspaceID: workspaceID)
        switch members {
        case .segment(let segmentID):
            guard ResourceID.isWellFormed(segmentID, prefix: Segment.idPrefix), let segment = try await store.segment(workspaceID: workspaceID, id: segmentID) else {
                throw ContactError.notFound(kind: "segment", id: segmentID)
            }
            var ids: [String] = []
            var after: String?
            while true {
                let page = try await store.contacts(workspaceID: workspaceID, filter: ContactFilter(rule: segment.rule), limit: 1000, afterID: after, now: now)
                ids += page.map(\.id)
                guard let last = page.last, page.count == 1000 else { break }
                after = last.id
            }
            return (try await store.removeMembers(workspaceID: workspaceID, listID: listID, contactIDs: ids, source: actor.channel, at: now), [])
        case .ids(let values), .emails(let values):
            let (contactIDs, unknown) = try await resolve(members, count: values.count, workspaceID: workspaceID)
            return (try await store.removeMembers(workspaceID: workspaceID, listID: listID, contactIDs: contactIDs, source: actor.channel, at: now), unknown)
        }
    }

    private func resolve(_ members: Members, count: Int, workspaceID: String) async throws -> ([String], [String]) {
        guard count <= Self.maximumMembersPerCall else { throw ContactError.batchTooLarge(count: count, maximum: Self.maximumMembersPerCall) }
        switch members {
        case .ids(let ids):
            for id in ids where !ResourceID.isWellFormed(id, prefix: Contact.idPrefix) {
                throw ValidationError(param: "contact_ids", message: "'\(id.prefix(40))' is not a contact id (ct_…).")
            }
            return (ids, [])
        case .emails(let emails):
            var keys: [String: String] = [:]
            for email in emails { keys[try ContactEmail.parse(email, param: "emails").key] = email }
            let found = try await store.contactIDs(workspaceID: workspaceID, emailKeys: Array(keys.keys))
            return (Array(found.values), keys.filter { found[$0.key] == nil }.map(\.value).sorted())
        case .segment:
            return ([], [])
        }
    }
}
