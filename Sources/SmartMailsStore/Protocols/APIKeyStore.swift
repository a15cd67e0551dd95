import SmartMailsCore

/// API keys and their secrets. Every read and write names the workspace, so no call can reach another tenant's key.
public protocol APIKeyStore: Sendable {
    /// Stores a new key, its first secret and the audit entry together.
    func insertKey(_ key: APIKey, secret: APIKeySecret, audit: AuditEvent) async throws
    func key(id: String, workspaceID: String) async throws -> APIKey?
    /// Keys newest first; `afterID` continues a previous page.
    func keys(workspaceID: String, limit: Int, afterID: String?, includeRevoked: Bool) async throws -> [APIKey]
    /// Replaces the mutable fields of a live (not revoked) key; returns false when there is no such key.
    func updateKey(_ key: APIKey, audit: AuditEvent) async throws -> Bool
    /// Adds `newSecret` as the current secret and makes the key's older secrets expire at `previousSecretsExpireAt`
    /// at the latest. Returns false when the key does not exist in the workspace or is revoked.
    func rollKey(
        id: String, workspaceID: String, newSecret: APIKeySecret, displayPrefix: String, lastFour: String,
        previousSecretsExpireAt: Timestamp, audit: AuditEvent
    ) async throws -> Bool
    /// Marks the key revoked (the row stays, for the audit trail). Returns false when there is no such live key.
    func revokeKey(id: String, workspaceID: String, at: Timestamp, audit: AuditEvent) async throws -> Bool
    /// The key a secret belongs to, whatever its state: the verifier reports revoked and expired keys as such.
    func keyForSecret(hash: APIKeyHash) async throws -> (key: APIKey, secret: APIKeySecret)?
    /// Calls `onChange` with the id of every key changed (updated, rolled, revoked) by any process sharing the
    /// database, until cancelled; returns false at once where the engine cannot tell (SQLite, a single process).
    func followKeyChanges(_ onChange: @escaping @Sendable (String) -> Void) async throws -> Bool
}
