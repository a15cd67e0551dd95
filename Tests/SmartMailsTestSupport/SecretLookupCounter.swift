import SmartMailsCore
import SmartMailsStore
import Synchronization

/// The real store, counting `keyForSecret` calls: how a test or benchmark tells a cache hit from a storage read.
public final class SecretLookupCounter: APIKeyStore {
    private let store: any APIKeyStore
    private let lookups = Atomic<Int>(0)

    public init(_ store: any APIKeyStore) {
        self.store = store
    }

    public var secretLookups: Int { lookups.load(ordering: .relaxed) }

    public func keyForSecret(hash: APIKeyHash) async throws -> (key: APIKey, secret: APIKeySecret)? {
        lookups.add(1, ordering: .relaxed)
        return try await store.keyForSecret(hash: hash)
    }

    public func insertKey(_ key: APIKey, secret: APIKeySecret, audit: AuditEvent) async throws {
        try await store.insertKey(key, secret: secret, audit: audit)
    }

    public func key(id: String, workspaceID: String) async throws -> APIKey? {
        try await store.key(id: id, workspaceID: workspaceID)
    }

    public func keys(workspaceID: String, limit: Int, afterID: String?, includeRevoked: Bool) async throws -> [APIKey] {
        try await store.keys(workspaceID: workspaceID, limit: limit, afterID: afterID, includeRevoked: includeRevoked)
    }

    public func updateKey(_ key: APIKey, audit: AuditEvent) async throws -> Bool {
        try await store.updateKey(key, audit: audit)
    }

    public func rollKey(
        id: String, workspaceID: String, newSecret: APIKeySecret, displayPrefix: String, lastFour: String,
        previousSecretsExpireAt: Timestamp, audit: AuditEvent
    ) async throws -> Bool {
        try await store.rollKey(
            id: id, workspaceID: workspaceID, newSecret: newSecret, displayPrefix: displayPrefix, lastFour: lastFour,
            previousSecretsExpireAt: previousSecretsExpireAt, audit: audit
        )
    }

    public func revokeKey(id: String, workspaceID: String, at: Timestamp, audit: AuditEvent) async throws -> Bool {
        try await store.revokeKey(id: id, workspaceID: workspaceID, at: at, audit: audit)
    }

    public func followKeyChanges(_ onChange: @escaping @Sendable (String) -> Void) async throws -> Bool {
        try await store.followKeyChanges(onChange)
    }
}
