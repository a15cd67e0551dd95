/// What a member may do in a workspace, as the scopes an API key would need for it: the dashboard checks the same
/// scopes as the API, and a key a member makes never holds more than the member's role.
public enum Role: String, Sendable, Hashable, CaseIterable {
    /// Everything, including deleting the workspace.
    case owner
    /// Everything but deleting the workspace or changing owners.
    case admin
    /// API keys, webhooks and sending domains; reads everything.
    case developer
    /// Contacts, lists, templates, campaigns and automations; no API keys.
    case marketer
    /// Reads what the `read` preset reads (the audit log aside), changes nothing.
    case viewer

    public var scopes: ScopeSet {
        switch self {
        case .owner, .admin:
            .all
        case .developer:
            ScopeSet([.keysAdmin, .webhooksAdmin, .domainsAdmin, .contactsRead, .messagesRead, .campaignsRead, .analyticsRead, .auditRead, .templatesRead])
        case .marketer:
            ScopeSet([.contactsWrite, .messagesRead, .messagesSend, .campaignsWrite, .analyticsRead, .templatesWrite])
        case .viewer:
            ScopePreset.read.scopes
        }
    }

    /// The roles this role may give or take away: nobody but an owner touches an owner.
    public func canAssign(_ other: Role) -> Bool {
        switch self {
        case .owner: true
        case .admin: other != .owner
        default: false
        }
    }
}
