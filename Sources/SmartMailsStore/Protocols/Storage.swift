/// Everything SmartMails keeps, as one value the server is given.
public typealias Storage = WorkspaceStore & AccountStore & MemberStore & ContactStore & ListStore & SegmentStore & ImportStore & DomainStore & ServerSettingsStore & MessageStore & SuppressionStore & APIKeyStore & UsageStore & AuditLogStore & IdempotencyStore & ReadinessProbe

/// Whether the database answers at all: what `/readyz` reports.
public protocol ReadinessProbe: Sendable {
    func ping() async -> Bool
}
