import Foundation
import Hummingbird
import SmartMailsApp
import SmartMailsCore

/// Developers → Domains: each sending domain with the DNS records to publish, adding and deleting domains.
extension DashboardRoutes {
    func domainsPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in try await domainsPage(visitor) }
    }

    private func domainsPage(_ visitor: AccountService.Visitor, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard visitor.scopes.contains(.domainsAdmin) else { return forbidden(visitor, needs: .domainsAdmin) }
        var all: [SendingDomain] = []
        var after: String?
        repeat {
            let page = try await domains.domains(workspaceID: visitor.workspace.id, page: PageRequest(limit: 100, afterID: after))
            all += page.items
            after = page.lastID
        } while after != nil && all.count < 1000
        var context: [String: Any] = [
            "nav": visitor.navigation(current: "developerDomains"), "csrf": visitor.session.csrfToken,
            "requireVerified": try await sendingPolicy.requiresVerifiedDomains(workspaceID: visitor.workspace.id),
            "domains": all.map { domain -> [String: Any] in
                var item: [String: Any] = [
                    "id": domain.id, "name": domain.name, "created": DashboardFormat.time(domain.createdAt), "csrf": visitor.session.csrfToken,
                    "verified": domain.isVerified,
                    "records": domains.records(of: domain).map { record -> [String: Any] in
                        let check = domain.verification?.check(of: record)
                        var row: [String: Any] = [
                            "purpose": record.purpose.rawValue.replacingOccurrences(of: "_", with: "-"), "type": record.type.rawValue, "name": record.name,
                            "value": record.value, "required": record.isRequired, "state": check?.state.rawValue ?? "unchecked",
                            "found": check.map { $0.state == .verified ? [] : $0.found } ?? [],
                            // What was found matters when it is not what was asked for.
                            "hasFound": check.map { $0.state != .verified && !$0.found.isEmpty } ?? false,
                        ]
                        if let detail = check?.detail { row["detail"] = detail }
                        return row
                    },
                ]
                if let checked = domain.verification?.checkedAt { item["checked"] = DashboardFormat.time(checked) }
                return item
            },
        ]
        if let error { context["error"] = error }
        return pages.render("domains", context, status: status)
    }

    func createDomain(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, form in
            guard visitor.scopes.contains(.domainsAdmin) else { return forbidden(visitor, needs: .domainsAdmin) }
            do {
                _ = try await domains.create(name: form["name"] ?? "", workspaceID: visitor.workspace.id, by: visitor.changeActor(ip: clientIP(request, context)))
                return DashboardPages.redirect("/app/domains")
            } catch {
                return try await domainsPage(visitor, error: Self.explainDomain(error), status: .unprocessableContent)
            }
        }
    }

    func verifyDomain(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, _ in
            guard visitor.scopes.contains(.domainsAdmin) else { return forbidden(visitor, needs: .domainsAdmin) }
            do {
                let id = context.parameters.get("id") ?? ""
                _ = try await domains.verify(id: id, workspaceID: visitor.workspace.id, by: visitor.changeActor(ip: clientIP(request, context)))
                return DashboardPages.redirect("/app/domains#\(id)")
            } catch {
                return try await domainsPage(visitor, error: Self.explainDomain(error), status: .unprocessableContent)
            }
        }
    }

    func updateSendingPolicy(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, form in
            guard visitor.scopes.contains(.domainsAdmin) else { return forbidden(visitor, needs: .domainsAdmin) }
            _ = try await sendingPolicy.setRequireVerifiedDomains(
                form["require_verified_domains"] == "true", workspaceID: visitor.workspace.id, by: visitor.changeActor(ip: clientIP(request, context))
            )
            return DashboardPages.redirect("/app/domains")
        }
    }

    func deleteDomain(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, _ in
            guard visitor.scopes.contains(.domainsAdmin) else { return forbidden(visitor, needs: .domainsAdmin) }
            do {
                _ = try await domains.delete(id: context.parameters.get("id") ?? "", workspaceID: visitor.workspace.id, by: visitor.changeActor(ip: clientIP(request, context)))
                return DashboardPages.redirect("/app/domains")
            } catch {
                return try await domainsPage(visitor, error: Self.explainDomain(error), status: .notFound)
            }
        }
    }

    static func explainDomain(_ error: any Error) -> String {
        switch error {
        case let error as ValidationError: "\(error.param): \(error.message)"
        case DomainError.exists(let name, _): "This workspace has the domain \(name) already."
        case DomainError.notFound(let id): "No domain \(id) in this workspace."
        case DomainError.verificationUnavailable: "This server has no DNS resolver to check records with."
        default: "Something went wrong; the server log has the details."
        }
    }
}
