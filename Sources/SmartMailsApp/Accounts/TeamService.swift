import SmartMailsCore
import SmartMailsStore

/// A workspace's team: inviting, re-roling and removing members, and accepting invitations. Who may do what is
/// decided here, for the dashboard and the API alike: `members:admin`, and nobody but an owner touches an owner.
public struct TeamService: Sendable {
    public typealias Store = MemberStore & AccountStore & WorkspaceStore
    let store: any Store
    let accounts: AccountService
    /// Told of the keys a removal revokes, so that this process's key cache drops them at once.
    let keys: KeyService?

    public init(store: any Store, hasher: PasswordHasher = PasswordHasher(), keys: KeyService? = nil) {
        self.store = store
        accounts = AccountService(store: store, hasher: hasher)
        self.keys = keys
    }

    /// Who changes the team: a member (with their role) or an API key holding `members:admin` (which acts as an
    /// admin: it never changes owners).
    public struct Actor: Sendable {
        public var id: String
        public var role: Role
        public var ip: String?

        public init(id: String, role: Role, ip: String?) {
            self.id = id
            self.role = role
            self.ip = ip
        }
    }

    public struct Invited: Sendable {
        public let member: Member
        /// The secret of the invitation link; shown to the inviter once, stored only as a hash.
        public let token: SecretToken
    }

    /// A page of members; only those with `status` when given (`.invited`: the pending invitations).
    public func members(workspaceID: String, page: PageRequest, status: Membership.Status? = nil) async throws -> Page<Member> {
        let rows = try await store.members(workspaceID: workspaceID, limit: page.limit + 1, afterAccountID: page.afterID, status: status)
        return Page(rows: rows, limit: page.limit, id: \.account.id)
    }

    public func invite(email: String, role: Role, workspaceID: String, by actor: Actor, now: Timestamp = .now) async throws -> Invited {
        try require(actor, canAssign: role)
        guard let normalised = EmailAddress.normalised(email) else {
            throw ValidationError(param: "email", message: "'\(email.prefix(100))' is not an e-mail address")
        }
        let token = SecretToken.generate()
        let account = Account(id: ResourceID.make(prefix: Account.idPrefix, at: now), email: normalised, name: "", createdAt: now)
        let invitation = Invitation(
            tokenHash: token.hash, workspaceID: workspaceID, accountID: account.id, invitedBy: actor.id, createdAt: now,
            expiresAt: now.adding(seconds: Invitation.lifetimeSeconds)
        )
        let audit = AuditEvent(
            workspaceID: workspaceID, occurredAt: now, actor: actor.id, action: .memberInvited, targetType: "account",
            targetID: account.id, ip: actor.ip, changes: ["email": normalised, "role": role.rawValue]
        )
        do {
            return Invited(member: try await store.invite(account, role: role, invitation: invitation, audit: audit), token: token)
        } catch AccountStoreError.alreadyMember {
            throw TeamError.alreadyMember(normalised)
        }
    }

    /// What an invitation link is for, while it can be accepted.
    public func invitation(token: String, now: Timestamp = .now) async throws -> (invitation: Invitation, member: Member, workspace: Workspace)? {
        guard let invitation = try await store.invitation(tokenHash: SecretToken(rawValue: token).hash, at: now),
              let member = try await store.member(workspaceID: invitation.workspaceID, accountID: invitation.accountID),
              let workspace = try await store.workspace(id: invitation.workspaceID)
        else { return nil }
        return (invitation, member, workspace)
    }

    /// Accepts an invitation and signs in. A new account sets its password here; an account that has one already
    /// (a member of another workspace) proves it is theirs with it.
    public func accept(token: String, password: String, ip: String?, now: Timestamp = .now) async throws -> AccountService.SignedIn {
        guard let (invitation, member, _) = try await invitation(token: token, now: now) else { throw TeamError.invitationNotValid }
        var newHash: String?
        if let existing = try await store.passwordHash(accountID: member.account.id) {
            // Whoever holds the link may try passwords here: the same lockout as signing in applies.
            let subjects = LoginThrottle.subjects(email: member.account.email, ip: ip)
            let since = now.adding(seconds: -accounts.throttle.windowSeconds)
            if let until = try await accounts.lockedUntil(subjects: subjects, since: since) { throw AccountError.locked(until: until) }
            guard await accounts.hasher.verify(password, hash: existing) else {
                let failures = try await store.recordLoginFailure(subjects: subjects, at: now, since: since, audit: nil)
                if let until = accounts.lockedUntil(failures: failures, subjects: subjects) { throw AccountError.locked(until: until) }
                throw ValidationError(param: "password", message: "is not the password of \(member.account.email)")
            }
        } else {
            try PasswordRules.validate(password)
            newHash = await accounts.hasher.hash(password)
        }
        let audit = AuditEvent(
            workspaceID: invitation.workspaceID, occurredAt: now, actor: member.account.id, action: .memberJoined,
            targetType: "account", targetID: member.account.id, ip: ip, changes: ["role": member.membership.role.rawValue]
        )
        guard try await store.acceptInvitation(invitation, passwordHash: newHash, at: now, audit: audit) else { throw TeamError.invitationNotValid }
        return try await accounts.startSession(account: member.account, workspaceID: invitation.workspaceID, ip: ip, now: now)
    }

    public func changeRole(accountID: String, to role: Role, workspaceID: String, by actor: Actor, now: Timestamp = .now) async throws -> Member {
        guard var member = try await store.member(workspaceID: workspaceID, accountID: accountID) else { throw TeamError.notFound(accountID) }
        guard member.membership.role != role else { return member }
        try require(actor, canAssign: member.membership.role)
        try require(actor, canAssign: role)
        if member.membership.role == .owner, try await store.ownerCount(workspaceID: workspaceID) <= 1 { throw TeamError.lastOwner }
        let audit = AuditEvent(
            workspaceID: workspaceID, occurredAt: now, actor: actor.id, action: .memberRoleChanged, targetType: "account",
            targetID: accountID, ip: actor.ip, changes: ["from": member.membership.role.rawValue, "to": role.rawValue]
        )
        guard try await store.changeRole(workspaceID: workspaceID, accountID: accountID, to: role, audit: audit) else { throw TeamError.notFound(accountID) }
        member.membership.role = role
        return member
    }

    /// Removes a member: their sessions in the workspace end at once; with `revokeKeys`, so do the keys they made.
    public func remove(accountID: String, workspaceID: String, revokeKeys: Bool, by actor: Actor, now: Timestamp = .now) async throws -> (member: Member, revokedKeys: [String]) {
        guard let member = try await store.member(workspaceID: workspaceID, accountID: accountID) else { throw TeamError.notFound(accountID) }
        try require(actor, canAssign: member.membership.role)
        if member.membership.role == .owner, member.membership.status == .active, try await store.ownerCount(workspaceID: workspaceID) <= 1 {
            throw TeamError.lastOwner
        }
        let audit = AuditEvent(
            workspaceID: workspaceID, occurredAt: now, actor: actor.id, action: .memberRemoved, targetType: "account",
            targetID: accountID, ip: actor.ip, changes: ["email": member.account.email, "role": member.membership.role.rawValue]
        )
        guard let revoked = try await store.removeMember(workspaceID: workspaceID, accountID: accountID, revokeKeys: revokeKeys, at: now, audit: audit) else {
            throw TeamError.notFound(accountID)
        }
        keys?.forgetCached(keyIDs: revoked)
        return (member, revoked)
    }

    private func require(_ actor: Actor, canAssign role: Role) throws(TeamError) {
        guard actor.role.scopes.contains(.membersAdmin) else { throw .notAllowed("Your role cannot change the team.") }
        guard actor.role.canAssign(role) else { throw .notAllowed("Only an owner can make, change or remove an owner.") }
    }
}

public enum TeamError: Error, Equatable, Sendable {
    case notFound(String)
    case alreadyMember(String)
    case notAllowed(String)
    /// A workspace keeps at least one owner.
    case lastOwner
    case invitationNotValid
}
