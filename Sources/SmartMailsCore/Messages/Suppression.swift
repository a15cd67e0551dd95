/// An address that gets no mail from a workspace: checked before every delivery.
public struct Suppression: Sendable, Equatable {
    public enum Reason: String, Sendable, CaseIterable {
        case hardBounce = "hard_bounce"
        case complaint, unsubscribe, manual
    }

    /// Lower-cased, as `ContactEmail.key`.
    public let address: String
    public let reason: Reason
    /// What put it there: a message id, `api`, `dashboard`.
    public let source: String?
    public let expiresAt: Timestamp?
    public let createdAt: Timestamp

    public init(address: String, reason: Reason, source: String?, expiresAt: Timestamp?, createdAt: Timestamp) {
        self.address = address
        self.reason = reason
        self.source = source
        self.expiresAt = expiresAt
        self.createdAt = createdAt
    }

    public func isActive(at now: Timestamp) -> Bool { expiresAt.map { now < $0 } ?? true }
}
