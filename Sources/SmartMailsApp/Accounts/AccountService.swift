import SmartMailsCore
import SmartMailsStore

/// Signing in and out, passwords and one-time password links, and adding members. The dashboard and the CLI call
/// it; it knows nothing of HTTP (cookies carry what it returns).
public struct AccountService: Sendable {
    public typealias Store = AccountStore & WorkspaceStore
    let store: any Store
    let hasher: PasswordHasher
    let throttle: LoginThrottle

    public init(store: any Store, hasher: PasswordHasher = PasswordHasher(), throttle: LoginThrottle = LoginThrottle()) {
        self.store = store
        self.hasher = hasher
        self.throttle = throttle
    }

    /// A new session, and the secret its cookie carries (shown to nobody else, stored only as a hash).
    public struct SignedIn: Sendable {
        public let session: Session
        public let token: SecretToken
    }

    /// A live session with who it belongs to and their role in its workspace.
    public struct Visitor: Sendable {
        public let session: Session
        public let account: Account
        public let membership: Membership
        public let workspace: Workspace
        /// Every workspace the account is an active member of, for switching between them.
        public let workspaces: [Workspace]
    }

    // MARK: Members

    public func account(id: String) async throws -> Account? {
        try await store.account(id: id)
    }

    /// Adds an account (made unless one has the e-mail) to a workspace with a role.
    public func addMember(email: String, name: String = "", role: Role, workspaceID: String, by actor: String, ip: String? = nil, now: Timestamp = .now) async throws -> Account {
        guard let normalised = EmailAddress.normalised(email) else {
            throw ValidationError(param: "email", message: "'\(email.prefix(100))' is not an e-mail address")
        }
        let account = Account(id: ResourceID.make(prefix: Account.idPrefix, at: now), email: normalised, name: name, createdAt: now)
        let audit = AuditEvent(
            workspaceID: workspaceID, occurredAt: now, actor: actor, action: .memberAdded, targetType: "account",
            targetID: account.id, ip: ip, changes: ["email": normalised, "role": role.rawValue]
        )
        return try await store.addMember(account, workspaceID: workspaceID, role: role, at: now, audit: audit)
    }

    /// A one-time link for the account to set its password (and sign in), valid for 7 days.
    public func issuePasswordLink(accountID: String, workspaceID: String, now: Timestamp = .now) async throws -> SecretToken {
        let token = SecretToken.generate()
        try await store.createPasswordLink(PasswordLink(
            tokenHash: token.hash, accountID: accountID, workspaceID: workspaceID, createdAt: now,
            expiresAt: now.adding(seconds: PasswordLink.lifetimeSeconds)
        ))
        return token
    }

    /// The account a password link is for, while the link is unused and unexpired.
    public func passwordLink(token: String, now: Timestamp = .now) async throws -> (link: PasswordLink, account: Account)? {
        guard let link = try await store.passwordLink(tokenHash: SecretToken(rawValue: token).hash, at: now),
              let account = try await store.account(id: link.accountID)
        else { return nil }
        return (link, account)
    }

    /// Sets the password through a link, which is then used up, and signs in. Every earlier session ends.
    public func setPassword(linkToken: String, password: String, ip: String?, now: Timestamp = .now) async throws -> SignedIn {
        try PasswordRules.validate(password)
        guard let (link, account) = try await passwordLink(token: linkToken, now: now) else { throw AccountError.linkNotValid }
        let hash = await hasher.hash(password)
        let audit = AuditEvent(
            workspaceID: link.workspaceID, occurredAt: now, actor: account.id, action: .accountPasswordSet,
            targetType: "account", targetID: account.id, ip: ip, changes: ["by": "link"]
        )
        guard try await store.setPassword(with: link, hash: hash, at: now, audit: audit) else { throw AccountError.linkNotValid }
        return try await startSession(account: account, workspaceID: link.workspaceID, ip: ip, now: now)
    }

    /// Changes the password of a signed-in account, which must give its current one; every session ends.
    public func changePassword(visitor: Visitor, current: String, new: String, ip: String?, now: Timestamp = .now) async throws -> SignedIn {
        try PasswordRules.validate(new)
        guard let hash = try await store.passwordHash(accountID: visitor.account.id), await hasher.verify(current, hash: hash) else {
            throw ValidationError(param: "current_password", message: "is not the account's password")
        }
        let audit = AuditEvent(
            workspaceID: visitor.workspace.id, occurredAt: now, actor: visitor.account.id, action: .accountPasswordSet,
            targetType: "account", targetID: visitor.account.id, ip: ip, changes: ["by": "password"]
        )
        try await store.setPassword(accountID: visitor.account.id, hash: await hasher.hash(new), at: now, audit: audit)
        return try await startSession(account: visitor.account, workspaceID: visitor.workspace.id, ip: ip, now: now)
    }

    // MARK: Signing in

    /// Signs in with e-mail and password. An unknown e-mail and a wrong password get the same error after the same
    /// work (a bcrypt check either way); too many failures lock the account or the address for a while.
    public func signIn(email: String, password: String, ip: String?, now: Timestamp = .now) async throws -> SignInOutcome {
        let normalised = EmailAddress.normalised(email) ?? email.lowercased()
        let subjects = LoginThrottle.subjects(email: normalised, ip: ip)
        let since = now.adding(seconds: -throttle.windowSeconds)
        if let until = try await lockedUntil(subjects: subjects, since: since) { throw AccountError.locked(until: until) }

        let account = try await store.account(email: normalised)
        var hash: String?
        var membership: Membership?
        if let account {
            hash = try await store.passwordHash(accountID: account.id)
            membership = try await store.memberships(accountID: account.id).first { $0.status == .active }
        }
        let checked = if let hash { hash } else { await hasher.unmatchableHash() }
        let matches = await hasher.verify(password, hash: checked)
        guard let account, let membership, hash != nil, matches else {
            let audit = account.flatMap { account in
                membership.map { membership in
                    AuditEvent(
                        workspaceID: membership.workspaceID, occurredAt: now, actor: account.id, action: .accountSignInFailed,
                        targetType: "account", targetID: account.id, ip: ip
                    )
                }
            }
            let failures = try await store.recordLoginFailure(subjects: subjects, at: now, since: since, audit: audit)
            if let until = lockedUntil(failures: failures, subjects: subjects) { throw AccountError.locked(until: until) }
            throw AccountError.invalidCredentials
        }
        if account.twoFactorEnabledAt != nil {
            return .needsCode(try await beginSecondStep(account: account, workspaceID: membership.workspaceID, now: now))
        }
        try await store.clearLoginFailures(subject: subjects[0])
        return .signedIn(try await startSession(account: account, workspaceID: membership.workspaceID, ip: ip, now: now))
    }

    /// The session behind a cookie's secret, while it is live and its account still a member of its workspace.
    public func visitor(token: String, now: Timestamp = .now) async throws -> Visitor? {
        let hash = SecretToken(rawValue: token).hash
        guard let session = try await store.session(tokenHash: hash), session.isLive(at: now),
              let account = try await store.account(id: session.accountID),
              let membership = try await store.membership(workspaceID: session.workspaceID, accountID: account.id),
              membership.status == .active,
              let workspace = try await store.workspace(id: session.workspaceID)
        else { return nil }
        // Written at most once a minute: enough for the idle timeout, no write on every page.
        if now.millisecondsSinceEpoch - session.lastSeenAt.millisecondsSinceEpoch > 60_000 {
            try await store.touchSession(tokenHash: hash, at: now)
        }
        return Visitor(
            session: session, account: account, membership: membership, workspace: workspace,
            workspaces: try await workspaces(of: account.id).map(\.workspace)
        )
    }

    public func signOut(visitor: Visitor, ip: String?, now: Timestamp = .now) async throws {
        let audit = AuditEvent(
            workspaceID: visitor.workspace.id, occurredAt: now, actor: visitor.account.id, action: .accountSignedOut,
            targetType: "account", targetID: visitor.account.id, ip: ip
        )
        try await store.deleteSession(tokenHash: visitor.session.tokenHash, audit: audit)
    }

    /// The account's live sessions, most recently used first.
    public func sessions(of visitor: Visitor, now: Timestamp = .now) async throws -> [Session] {
        try await store.sessions(accountID: visitor.account.id).filter { $0.isLive(at: now) }
    }

    /// The workspaces the account is an active member of, with its role in each.
    public func workspaces(of accountID: String) async throws -> [(workspace: Workspace, role: Role)] {
        let memberships = try await store.memberships(accountID: accountID).filter { $0.status == .active }
        let workspaces = try await store.workspaces(ids: memberships.map(\.workspaceID))
        return workspaces.compactMap { workspace in memberships.first { $0.workspaceID == workspace.id }.map { (workspace, $0.role) } }
    }

    /// Shows another of the member's workspaces in this session.
    public func switchWorkspace(visitor: Visitor, to workspaceID: String) async throws {
        guard let membership = try await store.membership(workspaceID: workspaceID, accountID: visitor.account.id), membership.status == .active else {
            throw AccountError.notAMember
        }
        try await store.switchSession(tokenHash: visitor.session.tokenHash, toWorkspaceID: workspaceID)
    }

    /// Ends every session of the account, this one included.
    public func signOutEverywhere(visitor: Visitor) async throws {
        try await store.deleteSessions(accountID: visitor.account.id)
    }

    func startSession(account: Account, workspaceID: String, ip: String?, now: Timestamp) async throws -> SignedIn {
        let token = SecretToken.generate()
        let session = Session(
            tokenHash: token.hash, accountID: account.id, workspaceID: workspaceID, csrfToken: SecretToken.generate().rawValue,
            createdAt: now, lastSeenAt: now, ip: ip
        )
        let audit = AuditEvent(
            workspaceID: workspaceID, occurredAt: now, actor: account.id, action: .accountSignedIn, targetType: "account",
            targetID: account.id, ip: ip
        )
        try await store.createSession(session, audit: audit)
        return SignedIn(session: session, token: token)
    }

    func lockedUntil(subjects: [String], since: Timestamp) async throws -> Timestamp? {
        var failures: [String: [Timestamp]] = [:]
        for subject in subjects { failures[subject] = try await store.loginFailures(subject: subject, since: since) }
        return lockedUntil(failures: failures, subjects: subjects)
    }

    func lockedUntil(failures: [String: [Timestamp]], subjects: [String]) -> Timestamp? {
        subjects.compactMap { subject in
            throttle.lockedUntil(failures[subject] ?? [], limit: subject.hasPrefix("ip:") ? throttle.failuresPerAddress : throttle.failuresPerAccount)
        }.max()
    }

}

public enum AccountError: Error, Equatable, Sendable {
    /// Unknown e-mail or wrong password: deliberately the same.
    case invalidCredentials
    case locked(until: Timestamp)
    /// The password link was used already, has expired, or never existed.
    case linkNotValid
    /// The account is not an active member of that workspace.
    case notAMember
}
