import Foundation
import SMTPKit
import SmartMailsCore
import SmartMailsStore

/// Sending domains: adding one makes its two DKIM keys (Ed25519 and RSA-2048, RFC 8463) and seals the private
/// halves with the server's secret key; answers carry the DNS records to publish, never a private key.
public struct DomainService: Sendable {
    let store: any DomainStore
    let secrets: SecretBox
    let settings: DomainRecordSettings
    let dns: (any DNSLookup)?

    public init(store: any DomainStore, secrets: SecretBox, settings: DomainRecordSettings, dns: (any DNSLookup)? = nil) {
        self.store = store
        self.secrets = secrets
        self.settings = settings
        self.dns = dns
    }

    public func records(of domain: SendingDomain) -> [DNSRecordSpec] { domain.records(settings: settings) }

    public func create(name: String, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> SendingDomain {
        let name = try SendingDomain.validName(name)
        // Checked before the keys are made (RSA generation is the costly part); the insert checks again, atomically.
        if let existing = try await store.domain(workspaceID: workspaceID, name: name) { throw DomainError.exists(name: name, id: existing.id) }
        let id = ResourceID.make(prefix: SendingDomain.idPrefix, at: now)
        // A dated selector per key, so a later roll publishes new selectors next to the old ones.
        let stamp = Self.selectorStamp(now)
        let ed25519 = DKIMPrivateKey.generateEd25519()
        // RSA generation takes a few hundred milliseconds of CPU (seconds in a debug build): off the cooperative pool.
        let rsa = try await BlockingWork.run { try DKIMPrivateKey.generateRSA(bits: 2048) }
        let keys = try [(DKIMKey.Algorithm.ed25519, ed25519), (.rsa, rsa)].map { algorithm, key in
            let selector = "sm\(algorithm == .ed25519 ? "e" : "r")\(stamp)"
            return DKIMKey(
                algorithm: algorithm, selector: selector, publicRecord: key.dnsRecord(selector: selector, domain: name).value,
                sealedPrivateKey: try secrets.seal(key.pemRepresentation, context: DKIMKey.sealingContext(domainID: id, algorithm: algorithm))
            )
        }
        let domain = SendingDomain(id: id, workspaceID: workspaceID, name: name, keys: keys, createdAt: now, updatedAt: now)
        let audit = actor.audit(.domainCreated, workspaceID: workspaceID, targetType: "domain", targetID: id, changes: ["name": name], at: now)
        guard try await store.insertDomain(domain, audit: audit) else { throw DomainError.exists(name: name, id: nil) }
        return domain
    }

    public func domain(id: String, workspaceID: String) async throws -> SendingDomain {
        guard ResourceID.isWellFormed(id, prefix: SendingDomain.idPrefix), let domain = try await store.domain(workspaceID: workspaceID, id: id) else {
            throw DomainError.notFound(id: id)
        }
        return domain
    }

    /// The workspace's domain of that (normalised) name, if it has one.
    public func domain(named name: String, workspaceID: String) async throws -> SendingDomain? {
        try await store.domain(workspaceID: workspaceID, name: name)
    }

    public func domains(workspaceID: String, page: PageRequest) async throws -> Page<SendingDomain> {
        Page(rows: try await store.domains(workspaceID: workspaceID, limit: page.limit + 1, afterID: page.afterID), limit: page.limit, id: \.id)
    }

    public func delete(id: String, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> SendingDomain {
        let domain = try await domain(id: id, workspaceID: workspaceID)
        let audit = actor.audit(.domainDeleted, workspaceID: workspaceID, targetType: "domain", targetID: id, changes: ["name": domain.name], at: now)
        guard try await store.deleteDomain(workspaceID: workspaceID, id: id, audit: audit) else { throw DomainError.notFound(id: id) }
        return domain
    }

    /// Looks every record up (at once) and stores what was found; the domain after the check.
    public func verify(id: String, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> SendingDomain {
        var domain = try await domain(id: id, workspaceID: workspaceID)
        guard let dns else { throw DomainError.verificationUnavailable }
        let specs = records(of: domain)
        let checks = await withTaskGroup(of: (Int, RecordCheck).self) { group in
            for (index, spec) in specs.enumerated() {
                group.addTask {
                    let found: Result<[String], DomainRecordChecker.LookupFailure>
                    do {
                        found = .success(try await spec.type == .mx ? dns.mx(spec.name) : dns.txt(spec.name))
                    } catch {
                        found = .failure(DomainRecordChecker.LookupFailure("\(error)"))
                    }
                    return (index, DomainRecordChecker.check(spec, found: found))
                }
            }
            var checks: [(Int, RecordCheck)] = []
            for await check in group { checks.append(check) }
            return checks.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let verification = DomainVerification(checkedAt: now, records: checks)
        let verifiedAt = verification.verifiedAt(previously: domain.verifiedAt)
        let audit = (verifiedAt == nil) == (domain.verifiedAt == nil) ? nil : actor.audit(
            .domainVerificationChanged, workspaceID: workspaceID, targetType: "domain", targetID: id,
            changes: ["name": domain.name, "verified": verifiedAt == nil ? "false" : "true"], at: now
        )
        guard try await store.recordVerification(workspaceID: workspaceID, id: id, verification: verification, verifiedAt: verifiedAt, audit: audit) else {
            throw DomainError.notFound(id: id)
        }
        domain.verification = verification
        domain.verifiedAt = verifiedAt
        domain.updatedAt = now
        return domain
    }

    /// The domain's signing keys of `algorithms`, opened (for the delivery queue, which signs with both by default).
    public func signingKeys(of domain: SendingDomain, algorithms: Set<DKIMKey.Algorithm> = Set(DKIMKey.Algorithm.allCases)) throws -> [(selector: String, key: DKIMPrivateKey)] {
        try domain.keys.filter { algorithms.contains($0.algorithm) }.map { key in
            let pem = try secrets.open(key.sealedPrivateKey, context: DKIMKey.sealingContext(domainID: domain.id, algorithm: key.algorithm))
            return (key.selector, try DKIMPrivateKey(pemRepresentation: pem))
        }
    }

    /// `yyyyMM` in UTC, e.g. `202612`.
    static func selectorStamp(_ now: Timestamp) -> String {
        let components = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date(timeIntervalSince1970: Double(now.millisecondsSinceEpoch) / 1000))
        return String(format: "%04d%02d", components.year ?? 1970, components.month ?? 1)
    }
}
