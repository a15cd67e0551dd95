import SmartMailsAPI
import SmartMailsApp
import SmartMailsCore

extension APIHandler {
    func listApiKeys(_ input: Operations.ListApiKeys.Input) async throws -> Operations.ListApiKeys.Output {
        let caller = try Caller.authenticated()
        let page = try await keys.list(
            workspaceID: caller.workspaceID,
            page: try PageCursor.request(limit: input.query.limit, cursor: input.query.cursor, idPrefix: APIKey.idPrefix),
            includeRevoked: input.query.includeRevoked ?? false
        )
        let body = Components.Schemas.ApiKeyList(data: page.items.map { .init($0) }, hasMore: page.hasMore, nextCursor: PageCursor.next(after: page))
        return .ok(.init(body: .json(body)))
    }

    func createApiKey(_ input: Operations.CreateApiKey.Input) async throws -> Operations.CreateApiKey.Output {
        let caller = try Caller.authenticated()
        guard case .json(let request) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        let issued = try await keys.create(
            workspaceID: caller.workspaceID, name: request.name, scopes: try ScopeSet.parse(request.scopes.map(\.rawValue)),
            mode: request.mode.map(APIKeyMode.init), allowedIPs: try IPAllowlist.parse(request.allowedIps ?? [], param: "allowed_ips"),
            rateLimit: request.rateLimit?.policy ?? .default, expiresAt: request.expiresAt.map(Timestamp.init),
            sendingLimits: try request.sendingLimits?.limits ?? .none, by: caller.actor
        )
        let body = Components.Schemas.ApiKeyWithSecret(value1: .init(issued.key), value2: .init(secret: issued.token.rawValue))
        return .created(.init(body: .json(body)))
    }

    func getApiKey(_ input: Operations.GetApiKey.Input) async throws -> Operations.GetApiKey.Output {
        let caller = try Caller.authenticated()
        let key = try await keys.key(id: input.path.id, workspaceID: caller.workspaceID)
        return .ok(.init(body: .json(.init(key))))
    }

    func updateApiKey(_ input: Operations.UpdateApiKey.Input) async throws -> Operations.UpdateApiKey.Output {
        let caller = try Caller.authenticated()
        guard case .json(let request) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        var changes = KeyService.Changes()
        changes.name = request.name
        changes.scopes = try request.scopes.map { names throws in try ScopeSet.parse(names.map(\.rawValue)) }
        changes.allowedIPs = try request.allowedIps.map { entries throws in try IPAllowlist.parse(entries, param: "allowed_ips") }
        changes.rateLimit = request.rateLimit?.policy
        changes.expiresAt = request.expiresAt.map(Timestamp.init)
        changes.removeExpiry = request.removeExpiry ?? false
        changes.sendingLimits = try request.sendingLimits?.limits
        let key = try await keys.update(id: input.path.id, workspaceID: caller.workspaceID, changes: changes, by: caller.actor)
        return .ok(.init(body: .json(.init(key))))
    }

    func revokeApiKey(_ input: Operations.RevokeApiKey.Input) async throws -> Operations.RevokeApiKey.Output {
        let caller = try Caller.authenticated()
        let key = try await keys.revoke(id: input.path.id, workspaceID: caller.workspaceID, by: caller.actor)
        return .ok(.init(body: .json(.init(key))))
    }

    func rollApiKey(_ input: Operations.RollApiKey.Input) async throws -> Operations.RollApiKey.Output {
        let caller = try Caller.authenticated()
        var overlap: Int64?
        if case .json(let request) = input.body { overlap = request.oldExpiresIn.map(Int64.init) }
        let (issued, previousExpiresAt) = try await keys.roll(
            id: input.path.id, workspaceID: caller.workspaceID, overlapSeconds: overlap, by: caller.actor
        )
        let body = Components.Schemas.RolledApiKey(
            value1: .init(value1: .init(issued.key), value2: .init(secret: issued.token.rawValue)),
            value2: .init(previousSecretExpiresAt: previousExpiresAt.date)
        )
        return .ok(.init(body: .json(body)))
    }

    func getApiKeyUsage(_ input: Operations.GetApiKeyUsage.Input) async throws -> Operations.GetApiKeyUsage.Output {
        let caller = try Caller.authenticated()
        let key = try await keys.key(id: input.path.id, workspaceID: caller.workspaceID)
        let report = try await keyUsage.report(for: key)
        let recipients = try await messages.recipientsToday(of: key)
        return .ok(.init(body: .json(.init(report, recipients: recipients))))
    }
}
