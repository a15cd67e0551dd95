import SmartMailsCore

/// A workspace's team: its members, invitations, role changes and removals.
public protocol MemberStore: Sendable {
    /// Members by account id after `afterAccountID`; only those with `status` when given.
    func members(workspaceID: String, limit: Int, afterAccountID: String?, status: Membership.Status?) async throws -> [Member]
    func member(workspaceID: String, accountID: String) async throws -> Member?
    /// Makes the account unless one has its e-mail, adds it as an `invited` member and stores the invitation,
    /// atomically. Fails with `AccountStoreError.alreadyMember` when the account is in the workspace already.
    func invite(_ account: Account, role: Role, invitation: Invitation, audit: AuditEvent) async throws -> Member
    /// The invitation while it is unaccepted, unexpired and its membership still pending.
    func invitation(tokenHash: String, at: Timestamp) async throws -> Invitation?
    /// Accepts the invitation (once), makes the membership active and, when given, sets the account's password.
    func acceptInvitation(_ invitation: Invitation, passwordHash: String?, at: Timestamp, audit: AuditEvent) async throws -> Bool
    func changeRole(workspaceID: String, accountID: String, to role: Role, audit: AuditEvent) async throws -> Bool
    /// Removes the member, ends their sessions in the workspace and drops their invitations; with `revokeKeys`,
    /// revokes the live keys they created there. Returns the ids of the keys it revoked, nil when there was no member.
    func removeMember(workspaceID: String, accountID: String, revokeKeys: Bool, at: Timestamp, audit: AuditEvent) async throws -> [String]?
    /// How many active owners the workspace has.
    func ownerCount(workspaceID: String) async throws -> Int
}
