import SmartMailsCore

/// Accounts, their memberships, dashboard sessions, one-time password links and failed sign-ins.
public protocol AccountStore: Sendable {
    func account(email: String) async throws -> Account?
    func account(id: String) async throws -> Account?
    /// The bcrypt hash of the account's password; nil when it has none yet.
    func passwordHash(accountID: String) async throws -> String?
    /// Adds `account` to a workspace with `role`, creating it unless an account has its e-mail already; returns the
    /// account as stored. Fails with `AccountStoreError.alreadyMember` when it is a member there already.
    func addMember(_ account: Account, workspaceID: String, role: Role, at: Timestamp, audit: AuditEvent) async throws -> Account
    func memberships(accountID: String) async throws -> [Membership]
    func membership(workspaceID: String, accountID: String) async throws -> Membership?

    /// Sets the password and ends every session of the account, atomically.
    func setPassword(accountID: String, hash: String, at: Timestamp, audit: AuditEvent) async throws

    func createPasswordLink(_ link: PasswordLink) async throws
    /// The link while it is unused and unexpired.
    func passwordLink(tokenHash: String, at: Timestamp) async throws -> PasswordLink?
    /// Uses the link up and sets the password with it, atomically: a link sets a password once. False when the
    /// link was used, expired or unknown.
    func setPassword(with link: PasswordLink, hash: String, at: Timestamp, audit: AuditEvent) async throws -> Bool

    /// The account's TOTP secret (base32) and the last step a code was accepted for; the secret is there while
    /// two-factor is being set up too (`Account.twoFactorEnabledAt` tells).
    func twoFactor(accountID: String) async throws -> (secret: String, lastStep: Int64?)?
    func setPendingTwoFactor(accountID: String, secret: String) async throws
    /// Turns two-factor on with a fresh set of recovery codes (hashes), replacing any earlier set.
    func enableTwoFactor(accountID: String, at: Timestamp, recoveryCodeHashes: [String], audit: AuditEvent) async throws
    func disableTwoFactor(accountID: String, audit: AuditEvent) async throws
    /// Records that a code of `step` was used; false when that step or a later one was used already (a replay).
    func useTwoFactorStep(accountID: String, step: Int64) async throws -> Bool
    /// Uses up a recovery code; false when it is unknown or used.
    func useRecoveryCode(accountID: String, codeHash: String, at: Timestamp) async throws -> Bool
    func unusedRecoveryCodeCount(accountID: String) async throws -> Int

    /// The second step of a sign-in: a short-lived token that a correct code turns into a session.
    func createLoginChallenge(tokenHash: String, accountID: String, workspaceID: String, at: Timestamp, expiresAt: Timestamp) async throws
    func loginChallenge(tokenHash: String, at: Timestamp) async throws -> (accountID: String, workspaceID: String)?
    func useLoginChallenge(tokenHash: String, at: Timestamp) async throws -> Bool

    func createSession(_ session: Session, audit: AuditEvent) async throws
    func session(tokenHash: String) async throws -> Session?
    func touchSession(tokenHash: String, at: Timestamp) async throws
    /// The account's sessions, most recently used first.
    func sessions(accountID: String) async throws -> [Session]
    /// Points the session at another workspace (the member's own; the caller checks).
    func switchSession(tokenHash: String, toWorkspaceID: String) async throws
    func deleteSession(tokenHash: String, audit: AuditEvent?) async throws
    func deleteSessions(accountID: String) async throws

    /// Records a failed sign-in for each subject (an e-mail, an address), drops failures older than `since`, and
    /// returns the failures since then per subject, this one included.
    func recordLoginFailure(subjects: [String], at: Timestamp, since: Timestamp, audit: AuditEvent?) async throws -> [String: [Timestamp]]
    func loginFailures(subject: String, since: Timestamp) async throws -> [Timestamp]
    func clearLoginFailures(subject: String) async throws
    /// Deletes sessions past their idle or absolute end, expired sign-in steps and links, and failures before
    /// `failuresBefore`.
    func purgeEnded(at: Timestamp, failuresBefore: Timestamp) async throws
}

public enum AccountStoreError: Error, Equatable, Sendable {
    case alreadyMember
}
