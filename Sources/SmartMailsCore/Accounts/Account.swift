/// A person who signs in to the dashboard. One account may belong to several workspaces, with a role in each.
public struct Account: Sendable, Hashable {
    public static let idPrefix = "usr"

    public var id: String
    /// Lower-cased and trimmed (`EmailAddress.normalised`): the one spelling an account is found by.
    public var email: String
    public var name: String
    public var createdAt: Timestamp
    /// When the password was last set; nil until the account has one (a first-start owner, a new invitee).
    public var passwordSetAt: Timestamp?
    /// When two-factor sign-in (TOTP) was turned on; nil while it is off.
    public var twoFactorEnabledAt: Timestamp?

    public init(id: String, email: String, name: String, createdAt: Timestamp, passwordSetAt: Timestamp? = nil, twoFactorEnabledAt: Timestamp? = nil) {
        self.id = id
        self.email = email
        self.name = name
        self.createdAt = createdAt
        self.passwordSetAt = passwordSetAt
        self.twoFactorEnabledAt = twoFactorEnabledAt
    }
}

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

public enum EmailAddress {
    /// Trimmed and lower-cased; nil unless it has the shape `local@domain` with no spaces or control characters.
    public static func normalised(_ text: String) -> String? {
        let trimmed = Substring(text).trimmingSpacesAndTabs.lowercased()
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard trimmed.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              !trimmed.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else { return nil }
        return trimmed
    }
}
