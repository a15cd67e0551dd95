import SmartMailsAPI
import SmartMailsApp
import SmartMailsCore

extension APIHandler {
    func listMembers(_ input: Operations.ListMembers.Input) async throws -> Operations.ListMembers.Output {
        .ok(.init(body: .json(try await memberList(limit: input.query.limit, cursor: input.query.cursor, status: nil))))
    }

    func listInvitations(_ input: Operations.ListInvitations.Input) async throws -> Operations.ListInvitations.Output {
        .ok(.init(body: .json(try await memberList(limit: input.query.limit, cursor: input.query.cursor, status: .invited))))
    }

    private func memberList(limit: Int?, cursor: String?, status: Membership.Status?) async throws -> Components.Schemas.MemberList {
        let caller = try Caller.authenticated()
        let page = try await team.members(
            workspaceID: caller.workspaceID, page: try PageCursor.request(limit: limit, cursor: cursor, idPrefix: Account.idPrefix), status: status
        )
        return .init(data: page.items.map { .init($0) }, hasMore: page.hasMore, nextCursor: PageCursor.next(after: page))
    }

    func inviteMember(_ input: Operations.InviteMember.Input) async throws -> Operations.InviteMember.Output {
        let caller = try Caller.authenticated()
        guard case .json(let request) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        let invited = try await team.invite(
            email: request.email, role: Role(request.role), workspaceID: caller.workspaceID, by: caller.teamActor
        )
        let body = Components.Schemas.InvitedMember(
            value1: .init(invited.member), value2: .init(invitationUrl: publicURL + "/invitations/" + invited.token.rawValue)
        )
        return .created(.init(body: .json(body)))
    }

    func updateMember(_ input: Operations.UpdateMember.Input) async throws -> Operations.UpdateMember.Output {
        let caller = try Caller.authenticated()
        guard case .json(let request) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        let member = try await team.changeRole(accountID: input.path.id, to: Role(request.role), workspaceID: caller.workspaceID, by: caller.teamActor)
        return .ok(.init(body: .json(.init(member))))
    }

    func removeMember(_ input: Operations.RemoveMember.Input) async throws -> Operations.RemoveMember.Output {
        let caller = try Caller.authenticated()
        let (member, revoked) = try await team.remove(
            accountID: input.path.id, workspaceID: caller.workspaceID, revokeKeys: input.query.revokeKeys ?? false, by: caller.teamActor
        )
        return .ok(.init(body: .json(.init(id: member.account.id, object: .member, email: member.account.email, revokedKeys: revoked))))
    }
}

extension Caller {
    /// A key with `members:admin` changes the team as an admin would: never an owner.
    var teamActor: TeamService.Actor {
        TeamService.Actor(id: key.id, role: .admin, ip: clientAddress?.description)
    }
}

extension Components.Schemas.Member {
    init(_ member: Member) {
        self.init(
            id: member.account.id, object: .member, email: member.account.email, name: member.account.name,
            role: .init(member.membership.role), status: member.membership.status == .active ? .active : .invited,
            joinedAt: member.membership.createdAt.date,
            invitationExpiresAt: member.membership.status == .invited ? member.invitationExpiresAt?.date : nil
        )
    }
}

extension Components.Schemas.Role {
    init(_ role: Role) {
        switch role {
        case .owner: self = .owner
        case .admin: self = .admin
        case .developer: self = .developer
        case .marketer: self = .marketer
        case .viewer: self = .viewer
        }
    }
}

extension Role {
    init(_ role: Components.Schemas.Role) {
        switch role {
        case .owner: self = .owner
        case .admin: self = .admin
        case .developer: self = .developer
        case .marketer: self = .marketer
        case .viewer: self = .viewer
        }
    }
}
