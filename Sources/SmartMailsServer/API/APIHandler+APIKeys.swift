import SmartMailsAPI
import SmartMailsCore
import SmartMailsStore

extension APIHandler {
    func listApiKeys(_ input: Operations.ListApiKeys.Input) async throws -> Operations.ListApiKeys.Output {
        let caller = try Caller.require(.keysRead)
        let limit = try PageCursor.limit(input.query.limit)
        let after = try PageCursor.decode(input.query.cursor, idPrefix: APIKey.idPrefix)
        let rows = try await storage.keys(
            workspaceID: caller.workspaceID, limit: limit + 1, afterID: after, includeRevoked: input.query.includeRevoked ?? false
        )
        let page = PageCursor.page(rows, limit: limit, id: \.id)
        let body = Components.Schemas.ApiKeyList(data: page.items.map { .init($0) }, hasMore: page.hasMore, nextCursor: page.nextCursor)
        return .ok(.init(body: .json(body)))
    }

    func createApiKey(_ input: Operations.CreateApiKey.Input) async throws -> Operations.CreateApiKey.Output {
        let caller = try Caller.require(.keysAdmin)
        guard case .json(let request) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        let issued = try await keys.create(
            workspaceID: caller.workspaceID, name: request.name, scopes: try ScopeSet.parse(request.scopes),
            mode: request.mode.map(APIKeyMode.init), allowedIPs: try IPAllowlist.parse(request.allowedIps ?? [], param: "allowed_ips"),
            rateLimit: request.rateLimit?.policy ?? .default, expiresAt: request.expiresAt.map(Timestamp.init),
            by: caller.actor
        )
        let body = Components.Schemas.ApiKeyWithSecret(value1: .init(issued.key), value2: .init(secret: issued.token.rawValue))
        return .created(.init(body: .json(body)))
    }

    func getApiKey(_ input: Operations.GetApiKey.Input) async throws -> Operations.GetApiKey.Output {
        let caller = try Caller.require(.keysRead)
        let key = try await existingKey(id: input.path.id, caller: caller)
        return .ok(.init(body: .json(.init(key))))
    }

    func updateApiKey(_ input: Operations.UpdateApiKey.Input) async throws -> Operations.UpdateApiKey.Output {
        let caller = try Caller.require(.keysAdmin)
        guard case .json(let request) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        var changes = KeyService.Changes()
        changes.name = request.name
        changes.scopes = try request.scopes.map { names throws in try ScopeSet.parse(names) }
        changes.allowedIPs = try request.allowedIps.map { entries throws in try IPAllowlist.parse(entries, param: "allowed_ips") }
        changes.rateLimit = request.rateLimit?.policy
        changes.expiresAt = request.expiresAt.map(Timestamp.init)
        changes.removeExpiry = request.removeExpiry ?? false
        let key = try await keys.update(id: input.path.id, workspaceID: caller.workspaceID, changes: changes, by: caller.actor)
        return .ok(.init(body: .json(.init(key))))
    }

    func revokeApiKey(_ input: Operations.RevokeApiKey.Input) async throws -> Operations.RevokeApiKey.Output {
        let caller = try Caller.require(.keysAdmin)
        let key = try await keys.revoke(id: input.path.id, workspaceID: caller.workspaceID, by: caller.actor)
        return .ok(.init(body: .json(.init(key))))
    }

    func rollApiKey(_ input: Operations.RollApiKey.Input) async throws -> Operations.RollApiKey.Output {
        let caller = try Caller.require(.keysAdmin)
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
        let caller = try Caller.require(.keysRead)
        let key = try await existingKey(id: input.path.id, caller: caller)
        // Counts are written in batches; writing the pending ones first makes the answer include the latest requests.
        await usage.flush()
        let now = Timestamp.now
        let since = now.adding(seconds: -86_400).minuteFloor
        let samples = try await storage.usage(keyID: key.id, workspaceID: caller.workspaceID, since: since)
        var minutes: [Timestamp: [Int: Int]] = [:]
        var totals: [Int: Int] = [:]
        for sample in samples {
            minutes[sample.minute, default: [:]][sample.statusClass, default: 0] += sample.count
            totals[sample.statusClass, default: 0] += sample.count
        }
        func counts(_ byClass: [Int: Int]) -> Components.Schemas.StatusClassCounts {
            .init(_2xx: byClass[2] ?? 0, _3xx: byClass[3] ?? 0, _4xx: byClass[4] ?? 0, _5xx: byClass[5] ?? 0)
        }
        let body = Components.Schemas.ApiKeyUsage(
            keyId: key.id, since: since.date, until: now.date, total: totals.values.reduce(0, +),
            byStatusClass: counts(totals),
            minutes: minutes.keys.sorted().map { minute in
                let byClass = minutes[minute]!
                return .init(minute: minute.date, total: byClass.values.reduce(0, +), byStatusClass: counts(byClass))
            }
        )
        return .ok(.init(body: .json(body)))
    }

    private func existingKey(id: String, caller: Caller) async throws -> APIKey {
        guard ResourceID.isWellFormed(id, prefix: APIKey.idPrefix),
              let key = try await storage.key(id: id, workspaceID: caller.workspaceID)
        else { throw APIError.notFound("API key", id: id) }
        return key
    }
}
