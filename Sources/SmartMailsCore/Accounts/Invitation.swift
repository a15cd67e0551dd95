/// An invitation to a workspace: a one-time link (its secret stored as a hash), valid for 7 days.
public struct Invitation: Sendable, Hashable {
    public static let lifetimeSeconds: Int64 = 7 * 86_400

    public var tokenHash: String
    public var workspaceID: String
    public var accountID: String
    public var invitedBy: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp

    public init(tokenHash: String, workspaceID: String, accountID: String, invitedBy: String, createdAt: Timestamp, expiresAt: Timestamp) {
        self.tokenHash = tokenHash
        self.workspaceID = workspaceID
        self.accountID = accountID
        self.invitedBy = invitedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
