import Foundation
import Hummingbird
import SmartMailsApp
import SmartMailsCore

/// Overview and Developers → API keys: the list, creating a key (shown once), a key's page with its usage and
/// audit trail, rolling and revoking. Through `KeyService`, with the member's role as the creator's scopes.
extension DashboardRoutes {
    func overview(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in
            var page = visitor.navigation(current: "overview")
            page["nav"] = visitor.navigation(current: "overview")
            if visitor.scopes.contains(.keysRead) {
                let live = try await keys.list(workspaceID: visitor.workspace.id, page: PageRequest(limit: 100, afterID: nil), includeRevoked: false)
                page["liveKeys"] = live.hasMore ? "100+" : String(live.items.count)
            }
            return pages.render("overview", page)
        }
    }

    func keyList(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in
            try await keyListPage(visitor, includeRevoked: request.uri.queryParameters["include_revoked"] == "true")
        }
    }

    private func keyListPage(_ visitor: AccountService.Visitor, includeRevoked: Bool, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard visitor.scopes.contains(.keysRead) else { return forbidden(visitor, needs: .keysRead) }
        var rows: [[String: Any]] = []
        var afterID: String?
        repeat {
            let page = try await keys.list(workspaceID: visitor.workspace.id, page: PageRequest(limit: 100, afterID: afterID), includeRevoked: includeRevoked)
            let names = try await actorNames(for: page.items.compactMap(\.createdBy), in: visitor.workspace.id)
            rows += page.items.map { Self.row($0, names: names) }
            afterID = page.lastID
        } while afterID != nil && rows.count < 1000
        var page: [String: Any] = [
            "nav": visitor.navigation(current: "keys"), "keyRows": rows, "includeRevoked": includeRevoked,
            "canCreate": visitor.scopes.contains(.keysAdmin), "csrf": visitor.session.csrfToken,
            "scopeChoices": Scope.allCases.map(\.rawValue),
        ]
        if let error { page["error"] = error }
        return pages.render("keys", page, status: status)
    }

    func createKey(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, form in
            guard visitor.scopes.contains(.keysAdmin) else { return forbidden(visitor, needs: .keysAdmin) }
            do {
                let scopes: ScopeSet
                switch form["preset"] ?? "read" {
                case "custom":
                    scopes = try ScopeSet.parse(form.all("scopes[]"))
                case let name:
                    scopes = try ScopeSet.parse([name])
                }
                let allowlist = try Self.allowlist(form["allowed_ips"] ?? "")
                let rateLimit = RateLimitPolicy(requests: Int(form["rate_requests"] ?? "") ?? 60, perSeconds: Int(form["rate_seconds"] ?? "") ?? 60)
                let expiresAt = try (form["expires"]).flatMap { $0.isEmpty ? nil : $0 }.map { day throws in try Self.endOfDay(day) }
                let issued = try await keys.create(
                    workspaceID: visitor.workspace.id, name: form["name"] ?? "", scopes: scopes, mode: nil, allowedIPs: allowlist,
                    rateLimit: rateLimit, expiresAt: expiresAt, by: visitor.keyActor(ip: clientIP(request, context))
                )
                return pages.render("secret", [
                    "nav": visitor.navigation(current: "keys"), "heading": "Your new key “\(issued.key.name)”",
                    "secret": issued.token.rawValue, "id": issued.key.id, "name": issued.key.name,
                ], status: .created)
            } catch {
                return try await keyListPage(visitor, includeRevoked: false, error: Self.explain(error), status: Self.status(of: error))
            }
        }
    }

    func keyPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in
            guard visitor.scopes.contains(.keysRead) else { return forbidden(visitor, needs: .keysRead) }
            return try await keyDetail(visitor, id: context.parameters.get("id") ?? "")
        }
    }

    private func keyDetail(_ visitor: AccountService.Visitor, id: String, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let key: APIKey
        do {
            key = try await keys.key(id: id, workspaceID: visitor.workspace.id)
        } catch KeyServiceError.notFound {
            return pages.message("Not found", "No API key with that id in this workspace.", status: .notFound, nav: visitor.navigation(current: "keys"), back: "/app/keys")
        }
        let report = try await keyUsage.report(for: key)
        let events = try await auditLog.list(workspaceID: visitor.workspace.id, page: PageRequest(limit: 50, afterID: nil), targetID: key.id)
        let names = try await actorNames(for: [key.createdBy].compactMap { $0 } + events.items.map(\.actor), in: visitor.workspace.id)
        var page = Self.row(key, names: names)
        page["nav"] = visitor.navigation(current: "keys")
        page["csrf"] = visitor.session.csrfToken
        page["mode"] = key.mode.rawValue
        page["scopes"] = key.scopes.scopes.map(\.rawValue)
        page["allowedIPs"] = key.allowedIPs.blocks.map(\.description)
        page["rateLimit"] = "\(key.rateLimit.requests) requests per \(key.rateLimit.perSeconds) s"
        page["canChange"] = key.revokedAt == nil && visitor.scopes.contains(.keysAdmin)
        page["scopeChoices"] = Scope.allCases.map { ["value": $0.rawValue, "checked": key.scopes.contains($0)] as [String: Any] }
        page["allowedIPsText"] = key.allowedIPs.blocks.map(\.description).joined(separator: "\n")
        page["rateRequests"] = key.rateLimit.requests
        page["rateSeconds"] = key.rateLimit.perSeconds
        page["fromDomains"] = key.sendingLimits.fromDomains
        page["fromDomainsText"] = key.sendingLimits.fromDomains.joined(separator: "\n")
        if let daily = key.sendingLimits.dailyRecipients { page["dailyRecipients"] = daily }
        let today = try await messages.recipientsToday(of: key)
        page["recipientsToday"] = "\(today.used)" + (today.quota.map { " of \($0) (starts over at \(DashboardFormat.time(today.resetsAt)))" } ?? " (no daily quota)")
        if let expiresAt = key.expiresAt { page["expiresDate"] = String(UTCDateTranscoder.rfc3339(expiresAt.date).prefix(10)) }
        page["usageChart"] = UsageChart.svg(report)
        page["usageTotal"] = report.total
        page["usageErrors"] = (report.byStatusClass[4] ?? 0) + (report.byStatusClass[5] ?? 0)
        page["events"] = events.items.map { event -> [String: Any] in
            var row: [String: Any] = ["occurred": DashboardFormat.time(event.occurredAt), "action": event.action.rawValue, "actor": names[event.actor]]
            if let ip = event.ip { row["ip"] = ip }
            return row
        }
        if let error { page["error"] = error }
        return pages.render("key", page, status: status)
    }

    func rollKey(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, form in
            guard visitor.scopes.contains(.keysAdmin) else { return forbidden(visitor, needs: .keysAdmin) }
            let id = context.parameters.get("id") ?? ""
            do {
                let (issued, previousExpiresAt) = try await keys.roll(
                    id: id, workspaceID: visitor.workspace.id, overlapSeconds: Int64(form["old_expires_in"] ?? ""),
                    by: visitor.keyActor(ip: clientIP(request, context))
                )
                return pages.render("secret", [
                    "nav": visitor.navigation(current: "keys"), "heading": "New secret for “\(issued.key.name)”",
                    "secret": issued.token.rawValue, "id": issued.key.id, "name": issued.key.name,
                    "previousExpires": DashboardFormat.time(previousExpiresAt) + " UTC",
                ])
            } catch {
                return try await keyDetail(visitor, id: id, error: Self.explain(error), status: Self.status(of: error))
            }
        }
    }

    func editKey(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, form in
            guard visitor.scopes.contains(.keysAdmin) else { return forbidden(visitor, needs: .keysAdmin) }
            let id = context.parameters.get("id") ?? ""
            do {
                let current = try await keys.key(id: id, workspaceID: visitor.workspace.id)
                var changes = KeyService.Changes()
                if let name = form["name"], name != current.name { changes.name = name }
                let scopes = try ScopeSet.parse(form.all("scopes[]"))
                if scopes != current.scopes { changes.scopes = scopes }
                let allowlist = try Self.allowlist(form["allowed_ips"] ?? "")
                if allowlist != current.allowedIPs { changes.allowedIPs = allowlist }
                let rateLimit = RateLimitPolicy(
                    requests: Int(form["rate_requests"] ?? "") ?? current.rateLimit.requests,
                    perSeconds: Int(form["rate_seconds"] ?? "") ?? current.rateLimit.perSeconds
                )
                if rateLimit != current.rateLimit { changes.rateLimit = rateLimit }
                let limits = try Self.sendingLimits(domains: form["from_domains"] ?? "", daily: form["daily_recipients"] ?? "")
                if limits != current.sendingLimits { changes.sendingLimits = limits }
                switch form["expires"].flatMap({ $0.isEmpty ? nil : $0 }) {
                case nil where current.expiresAt != nil: changes.removeExpiry = true
                case nil: break
                case let day?:
                    let expiresAt = try Self.endOfDay(day)
                    if expiresAt != current.expiresAt { changes.expiresAt = expiresAt }
                }
                _ = try await keys.update(id: id, workspaceID: visitor.workspace.id, changes: changes, by: visitor.keyActor(ip: clientIP(request, context)))
                return DashboardPages.redirect("/app/keys/\(id)")
            } catch {
                return try await keyDetail(visitor, id: id, error: Self.explain(error), status: Self.status(of: error))
            }
        }
    }

    /// Sending limits as typed: domains one per line (or comma-separated), the quota as a number or nothing.
    static func sendingLimits(domains: String, daily: String) throws(ValidationError) -> SendingLimits {
        let names = domains.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "," }).map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let trimmed = daily.trimmingCharacters(in: .whitespaces)
        guard trimmed.isEmpty || Int(trimmed) != nil else {
            throw ValidationError(param: "sending_limits.daily_recipients", message: "A daily quota is a whole number of recipients.")
        }
        return try SendingLimits(fromDomains: names, dailyRecipients: Int(trimmed))
    }

    /// Addresses and blocks as typed into a text area: one per line (or comma-separated).
    static func allowlist(_ text: String) throws(ValidationError) -> IPAllowlist {
        try IPAllowlist.parse(
            text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "," }).map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            param: "allowed_ips"
        )
    }

    func revokeKey(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, form in
            guard visitor.scopes.contains(.keysAdmin) else { return forbidden(visitor, needs: .keysAdmin) }
            let id = context.parameters.get("id") ?? ""
            do {
                let key = try await keys.key(id: id, workspaceID: visitor.workspace.id)
                guard form["confirm_name"] == key.name else {
                    return try await keyDetail(visitor, id: id, error: "Type the key's name exactly to revoke it; nothing was changed.", status: .unprocessableContent)
                }
                _ = try await keys.revoke(id: id, workspaceID: visitor.workspace.id, by: visitor.keyActor(ip: clientIP(request, context)))
                return DashboardPages.redirect("/app/keys/\(id)")
            } catch {
                return try await keyDetail(visitor, id: id, error: Self.explain(error), status: Self.status(of: error))
            }
        }
    }

    /// A key as a table row and the top of its page.
    static func row(_ key: APIKey, names: ActorNames) -> [String: Any] {
        let now = Timestamp.now
        let status = key.revokedAt != nil ? "revoked" : (key.expiresAt.map { $0 <= now } == true ? "expired" : "active")
        var row: [String: Any] = [
            "id": key.id, "name": key.name, "prefix": key.displayPrefix, "last4": key.lastFour,
            "access": DashboardFormat.access(key.scopes), "created": DashboardFormat.time(key.createdAt),
            "createdBy": key.createdBy.map { names[$0] } ?? "first start", "lastUsed": DashboardFormat.time(key.lastUsedAt),
            "expires": key.expiresAt.map(DashboardFormat.time) ?? "never", "status": status,
        ]
        // Mustache shows a nil that is boxed in `Any` as "nil"; absent values are left out instead.
        if let ip = key.lastUsedIP { row["lastUsedIP"] = ip }
        if let revokedAt = key.revokedAt { row["revoked"] = DashboardFormat.time(revokedAt) }
        return row
    }

    /// Who the ids of creators and actors are, in words: a member's e-mail, a key's name.
    func actorNames(for ids: [String], in workspaceID: String) async throws -> ActorNames {
        var names: [String: String] = [:]
        for id in Set(ids) {
            if id.hasPrefix(Account.idPrefix + "_") {
                names[id] = try await accounts.account(id: id)?.email
            } else if id.hasPrefix(APIKey.idPrefix + "_") {
                names[id] = (try? await keys.key(id: id, workspaceID: workspaceID)).map { "key “\($0.name)”" }
            }
        }
        return ActorNames(names: names)
    }

    /// The end (UTC) of the day a date field names, `2027-12-31`.
    static func endOfDay(_ day: String) throws(ValidationError) -> Timestamp {
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, let date = try? UTCDateTranscoder().decode(String(format: "%04d-%02d-%02dT23:59:59Z", parts[0], parts[1], parts[2])) else {
            throw ValidationError(param: "expires", message: "'\(day.prefix(20))' is not a date")
        }
        return Timestamp(date)
    }

    /// What went wrong, in words for the page.
    static func explain(_ error: any Error) -> String {
        switch error {
        case let error as ValidationError: "\(error.param.replacingOccurrences(of: "_", with: " ")): \(error.message)."
        case let error as KeyGrantError: APIError.from(error).message
        case let error as ScopeParseError: APIError.from(error).message
        case let error as KeyServiceError: APIError.from(error).message
        default: "Something went wrong on our side; nothing was changed."
        }
    }

    static func status(of error: any Error) -> HTTPResponse.Status {
        switch error {
        case is KeyGrantError: .forbidden
        case is ValidationError, is ScopeParseError: .unprocessableContent
        case let error as KeyServiceError: APIError.from(error).status
        default: .internalServerError
        }
    }
}

/// Ids of members and keys with the words the dashboard shows for them; an id it cannot name is shown as it is.
struct ActorNames {
    let names: [String: String]
    subscript(_ id: String) -> String { names[id] ?? id }
}
