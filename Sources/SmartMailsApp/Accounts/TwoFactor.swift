import SmartMailsCore
import SmartMailsStore

/// Optional two-factor sign-in with an authenticator app (TOTP, RFC 6238) and ten single-use recovery codes.
extension AccountService {
    /// What signing in with a password leads to: a session, or (two-factor on) the code step first.
    public enum SignInOutcome: Sendable {
        case signedIn(SignedIn)
        /// The secret of the second step, valid 5 minutes; a correct code (`completeSignIn`) makes the session.
        case needsCode(SecretToken)
    }

    static let challengeSeconds: Int64 = 5 * 60

    /// Starts setting up two-factor: a new secret, pending until a code from it is confirmed.
    public func beginTwoFactorSetup(visitor: Visitor) async throws -> TOTP {
        guard visitor.account.twoFactorEnabledAt == nil else {
            throw ValidationError(param: "two_factor", message: "is on already; turn it off first to set up another app")
        }
        let totp = TOTP.generate()
        try await store.setPendingTwoFactor(accountID: visitor.account.id, secret: totp.base32)
        return totp
    }

    /// The pending secret being set up, to show it again; nil when none is pending.
    public func pendingTwoFactor(visitor: Visitor) async throws -> TOTP? {
        guard visitor.account.twoFactorEnabledAt == nil, let stored = try await store.twoFactor(accountID: visitor.account.id) else { return nil }
        return TOTP(base32: stored.secret)
    }

    /// Turns two-factor on once a code from the pending secret is right, and returns the recovery codes (shown once).
    public func confirmTwoFactor(visitor: Visitor, code: String, ip: String?, now: Timestamp = .now) async throws -> [String] {
        guard let totp = try await pendingTwoFactor(visitor: visitor), let step = totp.matchingStep(code, at: now) else {
            throw ValidationError(param: "code", message: "is not the code the app shows now")
        }
        _ = try await store.useTwoFactorStep(accountID: visitor.account.id, step: step)
        var generator = SystemRandomNumberGenerator()
        let codes = (0..<10).map { _ in
            let raw = Base62.random(count: 10, using: &generator).lowercased()
            return String(raw.prefix(5)) + "-" + String(raw.dropFirst(5))
        }
        let audit = AuditEvent(
            workspaceID: visitor.workspace.id, occurredAt: now, actor: visitor.account.id, action: .accountTwoFactorEnabled,
            targetType: "account", targetID: visitor.account.id, ip: ip
        )
        try await store.enableTwoFactor(accountID: visitor.account.id, at: now, recoveryCodeHashes: codes.map(Self.recoveryHash), audit: audit)
        return codes
    }

    /// Turns two-factor off; it takes a current code (or a recovery code), not only the session.
    public func disableTwoFactor(visitor: Visitor, code: String, ip: String?, now: Timestamp = .now) async throws {
        guard try await checkSecondFactor(accountID: visitor.account.id, code: code, now: now) else {
            throw ValidationError(param: "code", message: "is neither the code the app shows now nor an unused recovery code")
        }
        let audit = AuditEvent(
            workspaceID: visitor.workspace.id, occurredAt: now, actor: visitor.account.id, action: .accountTwoFactorDisabled,
            targetType: "account", targetID: visitor.account.id, ip: ip
        )
        try await store.disableTwoFactor(accountID: visitor.account.id, audit: audit)
    }

    public func unusedRecoveryCodes(visitor: Visitor) async throws -> Int {
        try await store.unusedRecoveryCodeCount(accountID: visitor.account.id)
    }

    /// The second step of signing in. Wrong codes count towards the account's lockout like wrong passwords.
    public func completeSignIn(challenge: String, code: String, ip: String?, now: Timestamp = .now) async throws -> SignedIn {
        let hash = SecretToken(rawValue: challenge).hash
        guard let (accountID, workspaceID) = try await store.loginChallenge(tokenHash: hash, at: now),
              let account = try await store.account(id: accountID)
        else { throw AccountError.linkNotValid }
        let subjects = LoginThrottle.subjects(email: account.email, ip: ip)
        let since = now.adding(seconds: -throttle.windowSeconds)
        if let until = try await lockedUntil(subjects: subjects, since: since) { throw AccountError.locked(until: until) }
        guard try await checkSecondFactor(accountID: accountID, code: code, now: now) else {
            let audit = AuditEvent(
                workspaceID: workspaceID, occurredAt: now, actor: accountID, action: .accountSignInFailed, targetType: "account",
                targetID: accountID, ip: ip, changes: ["step": "two_factor"]
            )
            let failures = try await store.recordLoginFailure(subjects: subjects, at: now, since: since, audit: audit)
            if let until = lockedUntil(failures: failures, subjects: subjects) { throw AccountError.locked(until: until) }
            throw AccountError.invalidCredentials
        }
        guard try await store.useLoginChallenge(tokenHash: hash, at: now) else { throw AccountError.linkNotValid }
        try await store.clearLoginFailures(subject: subjects[0])
        return try await startSession(account: account, workspaceID: workspaceID, ip: ip, now: now)
    }

    func beginSecondStep(account: Account, workspaceID: String, now: Timestamp) async throws -> SecretToken {
        let token = SecretToken.generate()
        try await store.createLoginChallenge(
            tokenHash: token.hash, accountID: account.id, workspaceID: workspaceID, at: now, expiresAt: now.adding(seconds: Self.challengeSeconds)
        )
        return token
    }

    /// A current TOTP code not used before (each step once), or an unused recovery code.
    private func checkSecondFactor(accountID: String, code: String, now: Timestamp) async throws -> Bool {
        let typed = code.trimmingSpaces
        if typed.count == TOTP.digits, let stored = try await store.twoFactor(accountID: accountID), let totp = TOTP(base32: stored.secret),
           let step = totp.matchingStep(typed, at: now) {
            return try await store.useTwoFactorStep(accountID: accountID, step: step)
        }
        return try await store.useRecoveryCode(accountID: accountID, codeHash: Self.recoveryHash(typed.lowercased()), at: now)
    }

    static func recoveryHash(_ code: some StringProtocol) -> String {
        APIKeyHash(token: String(code)).hex
    }
}

private extension String {
    var trimmingSpaces: String { String(Substring(self).trimmingSpacesAndTabs) }
}
