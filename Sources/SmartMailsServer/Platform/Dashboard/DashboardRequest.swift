import Foundation
import Hummingbird
import SmartMailsApp
import SmartMailsCore

/// What the dashboard reads from a request: the form fields of a POST, the session cookie, the client's address.
struct DashboardForm: Sendable {
    private let fields: [String: [String]]

    /// Reads an `application/x-www-form-urlencoded` body of at most `limit` bytes (64 KiB unless a page needs more).
    static func read(_ request: Request, limit: Int = 64 * 1024) async throws -> DashboardForm {
        let buffer = try await request.body.collect(upTo: limit)
        // Forms write spaces as `+`; URLComponents decodes percent escapes only.
        let text = String(buffer: buffer).replacingOccurrences(of: "+", with: "%20")
        var fields: [String: [String]] = [:]
        for item in URLComponents(string: "?" + text)?.queryItems ?? [] {
            fields[item.name, default: []].append(item.value ?? "")
        }
        return DashboardForm(fields: fields)
    }

    subscript(_ name: String) -> String? { fields[name]?.first }
    func all(_ name: String) -> [String] { fields[name] ?? [] }
}

enum DashboardCookie {
    static let name = "sm_session"

    static func session(_ token: SecretToken, secure: Bool) -> Cookie {
        Cookie(name: name, value: token.rawValue, maxAge: Int(Session.maximumSeconds), path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    static func cleared(secure: Bool) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}

extension AccountService.Visitor {
    /// What the member may do here: their role's scopes, the same the API checks.
    var scopes: ScopeSet { membership.role.scopes }

    /// Who changes the team from the dashboard: the member, with their role.
    func teamActor(ip: String?) -> TeamService.Actor {
        TeamService.Actor(id: account.id, role: membership.role, ip: ip)
    }

    /// Who changes keys from the dashboard: the member, bounded by their role.
    func keyActor(ip: String?) -> KeyActor {
        KeyActor(id: account.id, scopes: scopes, mode: nil, ip: ip)
    }

    /// Who changes contacts, lists, segments and imports from the dashboard.
    func changeActor(ip: String?) -> ChangeActor {
        ChangeActor(id: account.id, ip: ip, channel: "dashboard")
    }

    /// True when the form carries this session's CSRF token (compared in constant time).
    func sentCSRFToken(in form: DashboardForm) -> Bool {
        guard let sent = form["csrf"] else { return false }
        return SecretToken.constantTimeEquals(session.csrfToken, sent)
    }

    /// The values the layout's header shows.
    func navigation(current: String) -> [String: Any] {
        [
            "workspaceName": workspace.name, "email": account.email, "role": membership.role.rawValue,
            "csrf": session.csrfToken, "canSeeKeys": scopes.contains(.keysRead),
            "canSeeDomains": scopes.contains(.domainsAdmin), "canSeeDevelopers": scopes.contains(.keysRead) || scopes.contains(.domainsAdmin), "canSeeTeam": scopes.contains(.membersAdmin),
            "canSeeAudit": scopes.contains(.auditRead), "canSeeContacts": scopes.contains(.contactsRead), "canSeeMessages": scopes.contains(.messagesRead),
            "canSeeTemplates": scopes.contains(.templatesRead), "canSeeSending": scopes.contains(.messagesRead) || scopes.contains(.templatesRead), "severalWorkspaces": workspaces.count > 1, "workspaces": workspaces.map { ["id": $0.id, "name": $0.name, "current": $0.id == workspace.id] as [String: Any] },
            current: true,
        ]
    }
}
