import SmartMailsAPI
import SmartMailsApp
import SmartMailsCore

extension APIHandler {
    func listDomains(_ input: Operations.ListDomains.Input) async throws -> Operations.ListDomains.Output {
        let caller = try Caller.authenticated()
        let page = try await domains.domains(
            workspaceID: caller.workspaceID,
            page: try PageCursor.request(limit: input.query.limit, cursor: input.query.cursor, idPrefix: SendingDomain.idPrefix)
        )
        let items = page.items.map { Components.Schemas.Domain($0, records: domains.records(of: $0)) }
        return .ok(.init(body: .json(.init(data: items, hasMore: page.hasMore, nextCursor: PageCursor.next(after: page)))))
    }

    func createDomain(_ input: Operations.CreateDomain.Input) async throws -> Operations.CreateDomain.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        let domain = try await domains.create(name: body.name, workspaceID: caller.workspaceID, by: caller.changeActor)
        return .created(.init(body: .json(.init(domain, records: domains.records(of: domain)))))
    }

    func getDomain(_ input: Operations.GetDomain.Input) async throws -> Operations.GetDomain.Output {
        let caller = try Caller.authenticated()
        let domain = try await domains.domain(id: input.path.id, workspaceID: caller.workspaceID)
        return .ok(.init(body: .json(.init(domain, records: domains.records(of: domain)))))
    }

    func verifyDomain(_ input: Operations.VerifyDomain.Input) async throws -> Operations.VerifyDomain.Output {
        let caller = try Caller.authenticated()
        let domain = try await domains.verify(id: input.path.id, workspaceID: caller.workspaceID, by: caller.changeActor)
        return .ok(.init(body: .json(.init(domain, records: domains.records(of: domain)))))
    }

    func getSendingPolicy(_ input: Operations.GetSendingPolicy.Input) async throws -> Operations.GetSendingPolicy.Output {
        let caller = try Caller.authenticated()
        let required = try await sendingPolicy.requiresVerifiedDomains(workspaceID: caller.workspaceID)
        return .ok(.init(body: .json(.init(object: .sendingPolicy, requireVerifiedDomains: required))))
    }

    func updateSendingPolicy(_ input: Operations.UpdateSendingPolicy.Input) async throws -> Operations.UpdateSendingPolicy.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        let required = try await sendingPolicy.setRequireVerifiedDomains(body.requireVerifiedDomains, workspaceID: caller.workspaceID, by: caller.changeActor)
        return .ok(.init(body: .json(.init(object: .sendingPolicy, requireVerifiedDomains: required))))
    }

    func deleteDomain(_ input: Operations.DeleteDomain.Input) async throws -> Operations.DeleteDomain.Output {
        let caller = try Caller.authenticated()
        let domain = try await domains.delete(id: input.path.id, workspaceID: caller.workspaceID, by: caller.changeActor)
        return .ok(.init(body: .json(.init(id: domain.id, object: "domain", deleted: true))))
    }
}

extension Components.Schemas.Domain {
    init(_ domain: SendingDomain, records: [DNSRecordSpec]) {
        self.init(
            id: domain.id, object: .domain, name: domain.name,
            dkim: domain.keys.map { .init(algorithm: $0.algorithm == .ed25519 ? .ed25519 : .rsa, selector: $0.selector) },
            returnPathHost: domain.bounceHost,
            dnsRecords: records.map { record in
                let purpose: Components.Schemas.DNSRecord.PurposePayload = switch record.purpose {
                case .dkim: .dkim
                case .spf: .spf
                case .dmarc: .dmarc
                case .returnPath: .returnPath
                }
                let check = domain.verification?.check(of: record)
                return .init(
                    purpose: purpose, _type: record.type == .mx ? .mx : .txt, name: record.name, value: record.value,
                    required: record.isRequired,
                    state: check.flatMap { .init(rawValue: $0.state.rawValue) } ?? .unchecked,
                    found: check?.found, detail: check?.detail
                )
            },
            verified: domain.isVerified, verifiedAt: domain.verifiedAt?.date, checkedAt: domain.verification?.checkedAt.date,
            createdAt: domain.createdAt.date, updatedAt: domain.updatedAt.date
        )
    }
}
