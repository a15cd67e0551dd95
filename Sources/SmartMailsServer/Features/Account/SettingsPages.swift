import Foundation
import Hummingbird
import SmartMailsApp
import SmartMailsCore
import SmartMailsStore

/// Settings → Security (password, two-factor, sessions, a new workspace), and switching workspaces.
extension DashboardRoutes {
    func securityPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in try await securityPage(visitor) }
    }

    private func securityPage(_ visitor: AccountService.Visitor, notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let sessions = try await accounts.sessions(of: visitor).map { session -> [String: Any] in
            var row: [String: Any] = [
                "created": DashboardFormat.time(session.createdAt), "lastSeen": DashboardFormat.time(session.lastSeenAt),
                "isThis": session.tokenHash == visitor.session.tokenHash,
            ]
            if let ip = session.ip { row["ip"] = ip }
            return row
        }
        var page: [String: Any] = ["nav": visitor.navigation(current: "security"), "csrf": visitor.session.csrfToken, "sessions": sessions]
        if let since = visitor.account.twoFactorEnabledAt {
            page["twoFactorOn"] = true
            page["twoFactorSince"] = DashboardFormat.time(since)
            page["recoveryLeft"] = try await accounts.unusedRecoveryCodes(visitor: visitor)
        } else if let pending = try await accounts.pendingTwoFactor(visitor: visitor) {
            page["pending"] = ["secret": pending.base32, "uri": pending.provisioningURI(account: visitor.account.email)]
        } else {
            page["canStart"] = true
        }
        if let notice { page["notice"] = notice }
        if let error { page["error"] = error }
        return pages.render("security", page, status: status)
    }

    func changePassword(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, form in
            guard form["new_password"] == form["confirm"] else {
                return try await securityPage(visitor, error: "The two new passwords differ; nothing was changed.", status: .unprocessableContent)
            }
            do {
                let signedIn = try await accounts.changePassword(
                    visitor: visitor, current: form["current_password"] ?? "", new: form["new_password"] ?? "", ip: clientIP(request, context)
                )
                // Every session ended with the change; this browser goes on in a new one.
                return enter(signedIn, at: "/app/security", request, context)
            } catch let error as ValidationError {
                return try await securityPage(visitor, error: "\(error.param.replacingOccurrences(of: "_", with: " ")) \(error.message); nothing was changed.", status: .unprocessableContent)
            }
        }
    }

    func startTwoFactor(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, _ in
            do {
                _ = try await accounts.beginTwoFactorSetup(visitor: visitor)
                return DashboardPages.redirect("/app/security")
            } catch let error as ValidationError {
                return try await securityPage(visitor, error: "Two-factor \(error.message).", status: .conflict)
            }
        }
    }

    func confirmTwoFactor(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, form in
            do {
                let codes = try await accounts.confirmTwoFactor(visitor: visitor, code: form["code"] ?? "", ip: clientIP(request, context))
                return pages.render("recovery-codes", ["nav": visitor.navigation(current: "security"), "codes": codes])
            } catch let error as ValidationError {
                return try await securityPage(visitor, error: "The code \(error.message); two-factor is still off.", status: .unprocessableContent)
            }
        }
    }

    func disableTwoFactor(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, form in
            do {
                try await accounts.disableTwoFactor(visitor: visitor, code: form["code"] ?? "", ip: clientIP(request, context))
                return DashboardPages.redirect("/app/security")
            } catch let error as ValidationError {
                return try await securityPage(visitor, error: "The code \(error.message); two-factor is still on.", status: .unprocessableContent)
            }
        }
    }

    func signOutEverywhere(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, _ in
            try await accounts.signOutEverywhere(visitor: visitor)
            var response = DashboardPages.redirect("/login")
            response.setCookie(DashboardCookie.cleared(secure: servedOverHTTPS(request, context)))
            return response
        }
    }

    func switchWorkspace(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, form in
            do {
                try await accounts.switchWorkspace(visitor: visitor, to: form["workspace_id"] ?? "")
                return DashboardPages.redirect("/app")
            } catch AccountError.notAMember {
                return pages.message("Not allowed", "You are not a member of that workspace.", status: .forbidden, nav: visitor.navigation(current: "none"), back: "/app")
            }
        }
    }

    func createWorkspace(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, form in
            let slug = (form["slug"] ?? "").trimmingCharacters(in: .whitespaces)
            let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
            do {
                guard !name.isEmpty, name.count <= 100 else { throw ValidationError(param: "name", message: "must be 1 to 100 characters") }
                guard try await workspaces.workspace(slug: slug) == nil else { throw ValidationError(param: "slug", message: "is taken by another workspace") }
                let created = try await Bootstrap.createWorkspace(storage: workspaces, slug: slug, name: name, ownerEmail: visitor.account.email)
                try await accounts.switchWorkspace(visitor: visitor, to: created.workspace.id)
                return DashboardPages.redirect("/app")
            } catch let error as ValidationError {
                return try await securityPage(visitor, error: "Workspace \(error.param): \(error.message).", status: .unprocessableContent)
            }
        }
    }
}
