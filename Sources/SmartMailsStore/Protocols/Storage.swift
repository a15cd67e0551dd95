/// Everything SmartMails keeps, as one value the server is given.
public typealias Storage = WorkspaceStore & APIKeyStore & UsageStore & AuditLogStore & IdempotencyStore
