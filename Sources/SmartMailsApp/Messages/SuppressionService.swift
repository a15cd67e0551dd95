import SmartMailsCore
import SmartMailsStore

/// The suppression list: addresses a workspace sends nothing to, whatever the message.
public struct SuppressionService: Sendable {
    let store: any SuppressionStore

    public init(store: any SuppressionStore) { self.store = store }

    public func add(address: String, reason: Suppression.Reason, source: String?, expiresAt: Timestamp?, workspaceID: String, now: Timestamp = .now) async throws -> Suppression {
        let email = try ContactEmail.parse(address, param: "address")
        if let expiresAt, expiresAt <= now { throw ValidationError(param: "expires_at", message: "expires_at is in the past; leave it out for a suppression that lasts.") }
        if let source { try HeaderText.check(source, param: "source") }
        guard (source ?? "").count <= 200 else { throw ValidationError(param: "source", message: "A source is at most 200 characters.") }
        let suppression = Suppression(address: email.key, reason: reason, source: source, expiresAt: expiresAt, createdAt: now)
        try await store.putSuppression(suppression, workspaceID: workspaceID)
        return suppression
    }

    public func suppression(address: String, workspaceID: String) async throws -> Suppression? {
        guard let email = try? ContactEmail.parse(address, param: "address") else { return nil }
        return try await store.suppression(workspaceID: workspaceID, address: email.key)
    }

    public func suppressions(workspaceID: String, reason: Suppression.Reason?, limit: Int, after: String?) async throws -> (items: [Suppression], hasMore: Bool) {
        let rows = try await store.suppressions(workspaceID: workspaceID, reason: reason, limit: limit + 1, afterAddress: after)
        return (Array(rows.prefix(limit)), rows.count > limit)
    }

    /// False when the address was not suppressed.
    public func remove(address: String, workspaceID: String) async throws -> Bool {
        guard let email = try? ContactEmail.parse(address, param: "address") else { return false }
        return try await store.deleteSuppression(workspaceID: workspaceID, address: email.key)
    }
}
