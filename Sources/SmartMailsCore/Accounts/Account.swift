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
