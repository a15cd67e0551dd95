import Hummingbird
import SmartMailsApp
import SmartMailsCore

/// Signing in with a password, setting one through a one-time link, and signing out.
extension DashboardRoutes {
    func signInPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        if try await visitor(request) != nil { return DashboardPages.redirect("/app") }
        return pages.render("login", [:])
    }

    func signIn(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        if let refused = crossOriginRefusal(request) { return refused }
        let form = try await DashboardForm.read(request)
        let email = form["email"] ?? ""
        do {
            switch try await accounts.signIn(email: email, password: form["password"] ?? "", ip: clientIP(request, context)) {
            case .signedIn(let signedIn):
                return enter(signedIn, request, context)
            case .needsCode(let challenge):
                return pages.render("two-factor", ["challenge": challenge.rawValue])
            }
        } catch AccountError.invalidCredentials {
            return pages.render("login", ["email": email, "error": "That e-mail and password do not match an account."], status: .unauthorized)
        } catch AccountError.locked(let until) {
            return pages.render(
                "login", ["email": email, "error": "Too many failed sign-ins. Try again after \(DashboardFormat.time(until)) (UTC)."],
                status: .tooManyRequests
            )
        }
    }

    func secondStep(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        if let refused = crossOriginRefusal(request) { return refused }
        let form = try await DashboardForm.read(request)
        let challenge = form["challenge"] ?? ""
        do {
            let signedIn = try await accounts.completeSignIn(challenge: challenge, code: form["code"] ?? "", ip: clientIP(request, context))
            return enter(signedIn, request, context)
        } catch AccountError.invalidCredentials {
            return pages.render("two-factor", ["challenge": challenge, "error": "That code is not right (or was used already)."], status: .unauthorized)
        } catch AccountError.locked(let until) {
            return pages.render("login", ["error": "Too many failed sign-ins. Try again after \(DashboardFormat.time(until)) (UTC)."], status: .tooManyRequests)
        } catch AccountError.linkNotValid {
            return pages.render("login", ["error": "That sign-in took too long; start again."], status: .unauthorized)
        }
    }

    func passwordPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        guard let (_, account) = try await accounts.passwordLink(token: token) else { return linkNotValid() }
        return pages.render("set-password", ["email": account.email, "token": token])
    }

    func setPassword(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        if let refused = crossOriginRefusal(request) { return refused }
        let token = context.parameters.get("token") ?? ""
        let form = try await DashboardForm.read(request)
        guard let (_, account) = try await accounts.passwordLink(token: token) else { return linkNotValid() }
        let password = form["password"] ?? ""
        guard password == form["confirm"] else {
            return pages.render("set-password", ["email": account.email, "token": token, "error": "The two passwords differ."], status: .unprocessableContent)
        }
        do {
            let signedIn = try await accounts.setPassword(linkToken: token, password: password, ip: clientIP(request, context))
            return enter(signedIn, request, context)
        } catch let error as ValidationError {
            return pages.render("set-password", ["email": account.email, "token": token, "error": "The password \(error.message)."], status: .unprocessableContent)
        } catch AccountError.linkNotValid {
            return linkNotValid()
        }
    }

    func signOut(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, _ in
            try await accounts.signOut(visitor: visitor, ip: clientIP(request, context))
            var response = DashboardPages.redirect("/login")
            response.setCookie(DashboardCookie.cleared(secure: servedOverHTTPS(request, context)))
            return response
        }
    }

    private func linkNotValid() -> Response {
        pages.message(
            "This link does not work", "It was used already, it has expired, or it was never issued. Ask an owner or admin for a new one (smartmails users reset-password).",
            status: .notFound, back: "/login"
        )
    }
}
