import SmartMailsCore

/// A workspace's sending domains with their (sealed) DKIM keys.
public protocol DomainStore: Sendable {
    /// Inserts the domain and its keys; false when the workspace has a domain of that name already.
    func insertDomain(_ domain: SendingDomain, audit: AuditEvent) async throws -> Bool
    func domains(workspaceID: String, limit: Int, afterID: String?) async throws -> [SendingDomain]
    func domain(workspaceID: String, id: String) async throws -> SendingDomain?
    func domain(workspaceID: String, name: String) async throws -> SendingDomain?
    func deleteDomain(workspaceID: String, id: String, audit: AuditEvent) async throws -> Bool
    /// Stores a check's outcome; the audit event is written only when one is given (the verified state changed).
    func recordVerification(workspaceID: String, id: String, verification: DomainVerification, verifiedAt: Timestamp?, audit: AuditEvent?) async throws -> Bool
}

/// Settings every node of one database shares.
public protocol ServerSettingsStore: Sendable {
    /// The value stored under `name`, storing `value` first when there is none yet (the first node to start decides).
    func setting(_ name: String, defaultingTo value: String, at now: Timestamp) async throws -> String
}
