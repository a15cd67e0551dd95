/// A one-time link that lets its holder set the account's password and sign in: printed on first start for the
/// owner, by `smartmails users create` and `users reset-password`, and (later) mailed with invitations.
public struct PasswordLink: Sendable, Hashable {
    public static let lifetimeSeconds: Int64 = 7 * 86_400

    public var tokenHash: String
    public var accountID: String
    public var workspaceID: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp

    public init(tokenHash: String, accountID: String, workspaceID: String, createdAt: Timestamp, expiresAt: Timestamp) {
        self.tokenHash = tokenHash
        self.accountID = accountID
        self.workspaceID = workspaceID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
