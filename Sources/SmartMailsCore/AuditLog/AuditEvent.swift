/// One entry of the audit trail: who did what to which object, when, and from where.
public struct AuditEvent: Sendable, Hashable {
    public static let idPrefix = "aud"

    public var id: String
    public var workspaceID: String
    public var occurredAt: Timestamp
    /// `key_…`, `usr_…`, or `system` for what the server does on its own (first-start bootstrap, CLI).
    public var actor: String
    public var action: AuditAction
    public var targetType: String
    public var targetID: String
    public var ip: String?
    /// Field names to their new values, for updates; never a secret.
    public var changes: [String: String]

    public init(
        id: String = ResourceID.make(prefix: AuditEvent.idPrefix), workspaceID: String, occurredAt: Timestamp,
        actor: String, action: AuditAction, targetType: String, targetID: String, ip: String?, changes: [String: String] = [:]
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.occurredAt = occurredAt
        self.actor = actor
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.ip = ip
        self.changes = changes
    }
}

/// What an audit entry records.
public enum AuditAction: String, Sendable, Hashable, CaseIterable {
    case apiKeyCreated = "api_key.created"
    case apiKeyUpdated = "api_key.updated"
    case apiKeyRolled = "api_key.rolled"
    case apiKeyRevoked = "api_key.revoked"
    case workspaceCreated = "workspace.created"
    case memberAdded = "member.added"
    case memberInvited = "member.invited"
    case memberJoined = "member.joined"
    case memberRoleChanged = "member.role_changed"
    case memberRemoved = "member.removed"
    case accountPasswordSet = "account.password_set"
    case accountSignedIn = "account.signed_in"
    case accountSignInFailed = "account.sign_in_failed"
    case accountSignedOut = "account.signed_out"
    case accountTwoFactorEnabled = "account.two_factor_enabled"
    case accountTwoFactorDisabled = "account.two_factor_disabled"
    case contactErased = "contact.erased"
    case listCreated = "list.created"
    case listUpdated = "list.updated"
    case listDeleted = "list.deleted"
    case segmentCreated = "segment.created"
    case segmentUpdated = "segment.updated"
    case segmentDeleted = "segment.deleted"
    case importStarted = "import.started"
    case importCancelled = "import.cancelled"
    case domainCreated = "domain.created"
    case domainDeleted = "domain.deleted"
    case domainVerificationChanged = "domain.verification_changed"
    case sendingPolicyChanged = "workspace.sending_policy_changed"
    case templateCreated = "template.created"
    case templateUpdated = "template.updated"
    case templateDeleted = "template.deleted"
}
