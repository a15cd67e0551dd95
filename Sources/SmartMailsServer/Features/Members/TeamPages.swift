import Hummingbird
import SmartMailsApp
import SmartMailsCore

/// Settings → Team: the members, inviting (the link shown once to pass on), re-roling and removing; and the page an
/// invitation link opens. Through `TeamService`, with the member's role as the actor's.
extension DashboardRoutes {
    func teamPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in try await teamPage(visitor) }
    }

    private func teamPage(_ visitor: AccountService.Visitor, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard visitor.scopes.contains(.membersAdmin) else { return forbidden(visitor, needs: .membersAdmin) }
        var members: [Member] = []
        var afterID: String?
        repeat {
            let page = try await team.members(workspaceID: visitor.workspace.id, page: PageRequest(limit: 100, afterID: afterID))
            members += page.items
            afterID = page.lastID
        } while afterID != nil && members.count < 1000
        let role = visitor.membership.role
        let rows: [[String: Any]] = members.map { member in
            var row: [String: Any] = [
                "id": member.account.id, "email": member.account.email, "role": member.membership.role.rawValue,
                "status": member.membership.status.rawValue, "joined": DashboardFormat.time(member.membership.createdAt),
                "csrf": visitor.session.csrfToken, "isYou": member.account.id == visitor.account.id,
                "canChange": role.canAssign(member.membership.role),
                "roleChoices": Role.allCases.filter(role.canAssign).map { ["value": $0.rawValue, "selected": $0 == member.membership.role] },
            ]
            if member.membership.status == .invited, let expires = member.invitationExpiresAt { row["expires"] = DashboardFormat.time(expires) }
            return row
        }
        var page: [String: Any] = [
            "nav": visitor.navigation(current: "team"), "memberRows": rows, "csrf": visitor.session.csrfToken,
            "inviteRoles": Role.allCases.filter(role.canAssign).map(\.rawValue),
        ]
        if let error { page["error"] = error }
        return pages.render("team", page, status: status)
    }

    func invite(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, form in
            guard visitor.scopes.contains(.membersAdmin) else { return forbidden(visitor, needs: .membersAdmin) }
            do {
                guard let role = form["role"].flatMap(Role.init(rawValue:)) else {
                    throw ValidationError(param: "role", message: "is not a role")
                }
                let invited = try await team.invite(
                    email: form["email"] ?? "", role: role, workspaceID: visitor.workspace.id, by: visitor.teamActor(ip: clientIP(request, context))
                )
                return pages.render("invitation-link", [
                    "nav": visitor.navigation(current: "team"), "email": invited.member.account.email,
                    "link": publicURL + "/invitations/" + invited.token.rawValue,
                    "expires": DashboardFormat.time(invited.member.invitationExpiresAt),
                ], status: .created)
            } catch {
                return try await teamPage(visitor, error: Self.explainTeam(error), status: Self.teamStatus(of: error))
            }
        }
    }

    func changeRole(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, form in
            do {
                guard let role = form["role"].flatMap(Role.init(rawValue:)) else { throw ValidationError(param: "role", message: "is not a role") }
                _ = try await team.changeRole(
                    accountID: context.parameters.get("id") ?? "", to: role, workspaceID: visitor.workspace.id,
                    by: visitor.teamActor(ip: clientIP(request, context))
                )
                return DashboardPages.redirect("/app/team")
            } catch {
                return try await teamPage(visitor, error: Self.explainTeam(error), status: Self.teamStatus(of: error))
            }
        }
    }

    func removeMember(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, form in
            do {
                _ = try await team.remove(
                    accountID: context.parameters.get("id") ?? "", workspaceID: visitor.workspace.id, revokeKeys: form["revoke_keys"] == "true",
                    by: visitor.teamActor(ip: clientIP(request, context))
                )
                return DashboardPages.redirect("/app/team")
            } catch {
                return try await teamPage(visitor, error: Self.explainTeam(error), status: Self.teamStatus(of: error))
            }
        }
    }

    func invitationPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        guard let (_, member, workspace) = try await team.invitation(token: token) else { return invitationNotValid() }
        return pages.render("join", [
            "token": token, "email": member.account.email, "role": member.membership.role.rawValue, "workspaceName": workspace.name,
            "hasPassword": member.account.passwordSetAt != nil,
        ])
    }

    func acceptInvitation(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        if let refused = crossOriginRefusal(request) { return refused }
        let token = context.parameters.get("token") ?? ""
        let form = try await DashboardForm.read(request)
        guard let (_, member, workspace) = try await team.invitation(token: token) else { return invitationNotValid() }
        var page: [String: Any] = [
            "token": token, "email": member.account.email, "role": member.membership.role.rawValue, "workspaceName": workspace.name,
            "hasPassword": member.account.passwordSetAt != nil,
        ]
        let password = form["password"] ?? ""
        if member.account.passwordSetAt == nil, password != form["confirm"] {
            page["error"] = "The two passwords differ."
            return pages.render("join", page, status: .unprocessableContent)
        }
        do {
            let signedIn = try await team.accept(token: token, password: password, ip: clientIP(request, context))
            return enter(signedIn, request, context)
        } catch let error as ValidationError {
            page["error"] = "The password \(error.message)."
            return pages.render("join", page, status: .unprocessableContent)
        } catch TeamError.invitationNotValid {
            return invitationNotValid()
        } catch AccountError.locked(let until) {
            page["error"] = "Too many wrong passwords. Try again after \(DashboardFormat.time(until)) (UTC)."
            return pages.render("join", page, status: .tooManyRequests)
        }
    }

    private func invitationNotValid() -> Response {
        pages.message(
            "This invitation does not work", "It was accepted already, it has expired, the member was removed, or it was never made. Ask for a new one.",
            status: .notFound, back: "/login"
        )
    }

    static func explainTeam(_ error: any Error) -> String {
        switch error {
        case let error as TeamError: APIError.from(error).message
        case let error as ValidationError: "\(error.param): \(error.message)."
        default: "Something went wrong on our side; nothing was changed."
        }
    }

    static func teamStatus(of error: any Error) -> HTTPResponse.Status {
        switch error {
        case let error as TeamError: APIError.from(error).status
        case is ValidationError: .unprocessableContent
        default: .internalServerError
        }
    }
}
