import SmartMailsAPI
import SmartMailsApp
import SmartMailsCore

extension APIHandler {
    func listLists(_ input: Operations.ListLists.Input) async throws -> Operations.ListLists.Output {
        let caller = try Caller.authenticated()
        let page = try await lists.lists(
            workspaceID: caller.workspaceID, page: try PageCursor.request(limit: input.query.limit, cursor: input.query.cursor, idPrefix: ContactList.idPrefix)
        )
        return .ok(.init(body: .json(.init(data: page.items.map { .init($0) }, hasMore: page.hasMore, nextCursor: PageCursor.next(after: page)))))
    }

    func createList(_ input: Operations.CreateList.Input) async throws -> Operations.CreateList.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        let list = try await lists.create(name: body.name, description: body.description, workspaceID: caller.workspaceID, by: caller.changeActor)
        return .created(.init(body: .json(.init(list))))
    }

    func getList(_ input: Operations.GetList.Input) async throws -> Operations.GetList.Output {
        let caller = try Caller.authenticated()
        return .ok(.init(body: .json(.init(try await lists.list(id: input.path.id, workspaceID: caller.workspaceID)))))
    }

    func updateList(_ input: Operations.UpdateList.Input) async throws -> Operations.UpdateList.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        let list = try await lists.update(id: input.path.id, name: body.name, description: body.description, workspaceID: caller.workspaceID, by: caller.changeActor)
        return .ok(.init(body: .json(.init(list))))
    }

    func deleteList(_ input: Operations.DeleteList.Input) async throws -> Operations.DeleteList.Output {
        let caller = try Caller.authenticated()
        let list = try await lists.delete(id: input.path.id, workspaceID: caller.workspaceID, by: caller.changeActor)
        return .ok(.init(body: .json(.init(id: list.list.id, object: "list", deleted: true))))
    }

    func addListMembers(_ input: Operations.AddListMembers.Input) async throws -> Operations.AddListMembers.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        // Another workspace's list is a 404 whatever the body says.
        _ = try await lists.list(id: input.path.id, workspaceID: caller.workspaceID)
        let state = body.state.flatMap { MembershipState(rawValue: $0.rawValue) } ?? .subscribed
        let (changed, unknown) = try await lists.setMembers(
            try Self.members(body), state: state, listID: input.path.id, workspaceID: caller.workspaceID, by: caller.changeActor
        )
        return .ok(.init(body: .json(.init(changed: changed, unknownEmails: unknown))))
    }

    func removeListMembers(_ input: Operations.RemoveListMembers.Input) async throws -> Operations.RemoveListMembers.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        _ = try await lists.list(id: input.path.id, workspaceID: caller.workspaceID)
        guard body.state == nil else { throw ValidationError(param: "state", message: "Removing members takes no state.") }
        let (changed, unknown) = try await lists.removeMembers(try Self.members(body), listID: input.path.id, workspaceID: caller.workspaceID, by: caller.changeActor)
        return .ok(.init(body: .json(.init(changed: changed, unknownEmails: unknown))))
    }

    private static func members(_ body: Components.Schemas.ListMembersRequest) throws(ValidationError) -> ListService.Members {
        switch (body.contactIds, body.emails, body.segmentId) {
        case (let ids?, nil, nil): return .ids(ids)
        case (nil, let emails?, nil): return .emails(emails)
        case (nil, nil, let segment?): return .segment(segment)
        default: throw ValidationError(param: "contact_ids", message: "Give exactly one of contact_ids, emails and segment_id.")
        }
    }
}

extension Components.Schemas.ContactList {
    init(_ summary: ListSummary) {
        let counts = summary.counts
        self.init(
            id: summary.list.id, object: .list, name: summary.list.name, description: summary.list.description,
            counts: .init(subscribed: counts.subscribed, unsubscribed: counts.unsubscribed, pending: counts.pending, total: counts.total),
            createdAt: summary.list.createdAt.date, updatedAt: summary.list.updatedAt.date
        )
    }
}
