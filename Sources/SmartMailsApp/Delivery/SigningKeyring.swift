import SMTPKit
import SmartMailsCore

/// The DKIM signers of each sending domain, opened once and kept for a minute, so that signing a queue of messages
/// does not unseal and parse an RSA key per message, while a deleted or re-keyed domain is noticed soon.
actor SigningKeyring {
    private let domains: DomainService
    private var cache: [String: (signers: [DKIMSigner], until: ContinuousClock.Instant)] = [:]
    private let algorithms: Set<DKIMKey.Algorithm>
    private static let lifetime = Duration.seconds(60)

    init(domains: DomainService, algorithms: Set<DKIMKey.Algorithm>) {
        self.domains = domains
        self.algorithms = algorithms
    }

    /// The signers of the configured algorithms (Ed25519 first) of the workspace's domain `name`; empty when it is
    /// not one of its domains.
    func signers(workspaceID: String, domain name: String) async throws -> [DKIMSigner] {
        let key = workspaceID + " " + name
        if let cached = cache[key], cached.until > .now { return cached.signers }
        var signers: [DKIMSigner] = []
        if let domain = try await domains.domain(named: name, workspaceID: workspaceID) {
            signers = try domains.signingKeys(of: domain, algorithms: algorithms).map { try DKIMSigner(domain: domain.name, selector: $0.selector, key: $0.key) }
        }
        cache[key] = (signers, .now + Self.lifetime)
        return signers
    }
}
