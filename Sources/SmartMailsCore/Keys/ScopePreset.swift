/// Named bundles of scopes for the common cases: `read` sees everything but the audit trail, `write` also changes
/// contacts and campaigns and sends mail, `admin` holds every scope.
public enum ScopePreset: String, Sendable, CaseIterable {
    case read
    case write
    case admin

    public var scopes: ScopeSet {
        switch self {
        case .read:
            ScopeSet([.keysRead, .contactsRead, .messagesRead, .campaignsRead, .analyticsRead, .templatesRead])
        case .write:
            ScopeSet([.keysRead, .contactsWrite, .messagesRead, .messagesSend, .campaignsWrite, .analyticsRead, .templatesWrite])
        case .admin:
            .all
        }
    }
}
