/// An account's place in a workspace: `invited` until the invitation is accepted, and only then signed in to.
public struct Membership: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case active, invited
    }

    public var workspaceID: String
    public var accountID: String
    public var role: Role
    public var status: Status
    public var createdAt: Timestamp

    public init(workspaceID: String, accountID: String, role: Role, status: Status = .active, createdAt: Timestamp) {
        self.workspaceID = workspaceID
        self.accountID = accountID
        self.role = role
        self.status = status
        self.createdAt = createdAt
    }
}

/// A member as the team page and `/v1/members` show them.
public struct Member: Sendable, Hashable {
    public var account: Account
    public var membership: Membership
    /// When the pending invitation's link stops working; nil for active members.
    public var invitationExpiresAt: Timestamp?

    public init(account: Account, membership: Membership, invitationExpiresAt: Timestamp? = nil) {
        self.account = account
        self.membership = membership
        self.invitationExpiresAt = invitationExpiresAt
    }
}
