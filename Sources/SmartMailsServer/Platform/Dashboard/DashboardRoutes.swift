import Foundation
import HTTPTypes
import Hummingbird
import SmartMailsApp
import SmartMailsCore
import SmartMailsStore

/// The web dashboard: plain Hummingbird routes outside the API spec, server-rendered, over the same services as the
/// API. Every page but sign-in needs a session; every POST needs the session's CSRF token; what a member may do is
/// their role's scopes, checked by the same services and rules as an API key's.
struct DashboardRoutes: Sendable {
    let pages: DashboardPages
    let accounts: AccountService
    let team: TeamService
    /// For the "new workspace" form.
    let workspaces: any Storage
    let keys: KeyService
    let keyUsage: KeyUsageService
    let auditLog: AuditLogService
    let contacts: ContactService
    let lists: ListService
    let segments: SegmentService
    let imports: ImportService
    let domains: DomainService
    let sendingPolicy: SendingPolicyService
    let templates: TemplateService
    let messages: MessageService
    let suppressions: SuppressionService
    let addressResolver: ClientAddressResolver
    /// Where browsers reach the server, for the invitation links the team page hands out.
    let publicURL: String

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.get("login") { request, context in try await signInPage(request, context) }
        router.post("login") { request, context in try await signIn(request, context) }
        router.get("login/password/:token") { request, context in try await passwordPage(request, context) }
        router.post("login/password/:token") { request, context in try await setPassword(request, context) }
        router.post("logout") { request, context in try await signOut(request, context) }
        router.get("app/assets/:name") { _, context in
            pages.asset(context.parameters.get("name") ?? "") ?? pages.message("Not found", "No such file.", status: .notFound)
        }
        router.get("app") { request, context in try await overview(request, context) }
        router.get("app/keys") { request, context in try await keyList(request, context) }
        router.get("app/domains") { request, context in try await domainsPage(request, context) }
        router.get("app/messages") { request, context in try await messagesPage(request, context) }
        router.get("app/messages/:id") { request, context in try await messagePage(request, context) }
        router.get("app/suppressions") { request, context in try await suppressionsPage(request, context) }
        router.post("app/domains") { request, context in try await createDomain(request, context) }
        router.post("app/domains/:id/delete") { request, context in try await deleteDomain(request, context) }
        router.post("app/domains/:id/verify") { request, context in try await verifyDomain(request, context) }
        router.post("app/domains/policy") { request, context in try await updateSendingPolicy(request, context) }
        router.post("app/keys") { request, context in try await createKey(request, context) }
        router.get("app/keys/:id") { request, context in try await keyPage(request, context) }
        router.post("app/keys/:id/roll") { request, context in try await rollKey(request, context) }
        router.post("app/keys/:id/revoke") { request, context in try await revokeKey(request, context) }
        router.post("app/keys/:id/edit") { request, context in try await editKey(request, context) }
        router.get("app/team") { request, context in try await teamPage(request, context) }
        router.post("app/team/invite") { request, context in try await invite(request, context) }
        router.post("app/team/:id/role") { request, context in try await changeRole(request, context) }
        router.post("app/team/:id/remove") { request, context in try await removeMember(request, context) }
        router.get("app/security") { request, context in try await securityPage(request, context) }
        router.post("app/security/password") { request, context in try await changePassword(request, context) }
        router.post("login/two-factor") { request, context in try await secondStep(request, context) }
        router.post("app/security/two-factor/start") { request, context in try await startTwoFactor(request, context) }
        router.post("app/security/two-factor/confirm") { request, context in try await confirmTwoFactor(request, context) }
        router.post("app/security/two-factor/disable") { request, context in try await disableTwoFactor(request, context) }
        router.post("app/security/sign-out-everywhere") { request, context in try await signOutEverywhere(request, context) }
        router.post("app/workspace") { request, context in try await switchWorkspace(request, context) }
        router.post("app/workspaces") { request, context in try await createWorkspace(request, context) }
        router.get("app/audit-log") { request, context in try await auditPage(request, context) }
        addAudienceRoutes(to: router)
        addTemplateRoutes(to: router)
        router.get("invitations/:token") { request, context in try await invitationPage(request, context) }
        router.post("invitations/:token") { request, context in try await acceptInvitation(request, context) }
    }

    /// The client's address, through trusted proxies, as text for sessions and the audit log.
    func clientIP(_ request: Request, _ context: AppRequestContext) -> String? {
        addressResolver.clientAddress(peer: context.peerAddress, forwardedFor: request.headers[.xForwardedFor])?.description
    }

    /// Cookies are Secure when a trusted proxy says the browser spoke HTTPS to it.
    func servedOverHTTPS(_ request: Request, _ context: AppRequestContext) -> Bool {
        guard let peer = context.peerAddress, !addressResolver.trustedProxies.isUnrestricted, addressResolver.trustedProxies.allows(peer)
        else { return false }
        return request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    /// Goes on to `location` in the new session the cookie now carries.
    func enter(_ signedIn: AccountService.SignedIn, at location: String = "/app", _ request: Request, _ context: AppRequestContext) -> Response {
        var response = DashboardPages.redirect(location)
        response.setCookie(DashboardCookie.session(signedIn.token, secure: servedOverHTTPS(request, context)))
        return response
    }

    /// The signed-in member, or nil when the request has no live session.
    func visitor(_ request: Request) async throws -> AccountService.Visitor? {
        guard let token = request.cookies[DashboardCookie.name]?.value, !token.isEmpty else { return nil }
        return try await accounts.visitor(token: token)
    }

    /// Runs `page` for a signed-in member; sends anyone else to sign in.
    func signedIn(_ request: Request, _ page: (AccountService.Visitor) async throws -> Response) async throws -> Response {
        guard let visitor = try await visitor(request) else { return DashboardPages.redirect("/login") }
        return try await page(visitor)
    }

    /// Like `signedIn`, for a form that changes something: reads the form and refuses it without the CSRF token.
    func signedInForm(
        _ request: Request, limit: Int = 64 * 1024, _ page: (AccountService.Visitor, DashboardForm) async throws -> Response
    ) async throws -> Response {
        guard let visitor = try await visitor(request) else { return DashboardPages.redirect("/login") }
        if let refused = crossOriginRefusal(request) { return refused }
        let form = try await DashboardForm.read(request, limit: limit)
        guard visitor.sentCSRFToken(in: form) else {
            return pages.message("Refused", "This form was not sent from this session's page (CSRF token missing or wrong). Reload the page and try again.", status: .forbidden, nav: visitor.navigation(current: "none"))
        }
        return try await page(visitor, form)
    }

    /// A form posted from another site's page is refused, sessions or not: a browser names the page's origin in
    /// `Origin` on every POST, and this also stops a forged sign-in into someone else's account (login CSRF).
    func crossOriginRefusal(_ request: Request) -> Response? {
        guard let origin = request.headers[.origin], origin != "null" else { return nil }
        let host = request.head.authority ?? request.headers[HTTPField.Name("Host")!] ?? ""
        guard let url = URLComponents(string: origin), let originHost = url.host else {
            return pages.message("Refused", "This form came from a page of another site.", status: .forbidden)
        }
        let originAuthority = (url.port.map { "\(originHost):\($0)" } ?? originHost).lowercased()
        // Behind a proxy that rewrites Host, the page's origin is the public address instead.
        let publicAuthority = URLComponents(string: publicURL).flatMap { address in
            address.host.map { host in (address.port.map { "\(host):\($0)" } ?? host).lowercased() }
        }
        guard originAuthority == host.lowercased() || originAuthority == publicAuthority else {
            return pages.message("Refused", "This form came from a page of another site.", status: .forbidden)
        }
        return nil
    }

    /// Like `signedIn`, for the pages' own scripts (a live count, an upload): the CSRF token comes in a header, and
    /// the answer to anything but a member of this session is JSON a script can show.
    func signedInFetch(_ request: Request, _ body: (AccountService.Visitor) async throws -> Response) async throws -> Response {
        guard let visitor = try await visitor(request) else { return DashboardPages.json(["error": "Your session has ended; sign in again."], status: .unauthorized) }
        if crossOriginRefusal(request) != nil { return DashboardPages.json(["error": "This request came from another site."], status: .forbidden) }
        guard let sent = request.headers[HTTPField.Name("X-CSRF-Token")!], SecretToken.constantTimeEquals(visitor.session.csrfToken, sent) else {
            return DashboardPages.json(["error": "The page's CSRF token is missing or wrong; reload the page."], status: .forbidden)
        }
        return try await body(visitor)
    }

    func forbidden(_ visitor: AccountService.Visitor, needs scope: Scope) -> Response {
        pages.message(
            "Not allowed", "Your role (\(visitor.membership.role.rawValue)) does not include \(scope.rawValue), which this page needs.",
            status: .forbidden, nav: visitor.navigation(current: "none"), back: "/app"
        )
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
