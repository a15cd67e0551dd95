/// A permission, `resource:action`. `admin` and `write` actions include `read` of the same resource.
public enum Scope: String, Sendable, CaseIterable, Codable, Hashable {
    case keysRead = "keys:read"
    case keysAdmin = "keys:admin"
    case contactsRead = "contacts:read"
    case contactsWrite = "contacts:write"
    case messagesRead = "messages:read"
    case messagesSend = "messages:send"
    case campaignsRead = "campaigns:read"
    case campaignsWrite = "campaigns:write"
    case analyticsRead = "analytics:read"
    case webhooksAdmin = "webhooks:admin"
    case auditRead = "audit:read"
    /// Invite, re-role and remove members (the owner and admins of a workspace hold it).
    case membersAdmin = "members:admin"
    /// Sending domains: their DKIM keys and the DNS records to publish.
    case domainsAdmin = "domains:admin"
    /// Message templates and their versions (new scopes go last: a scope's bit is its position).
    case templatesRead = "templates:read"
    case templatesWrite = "templates:write"

    /// Made once: `allCases` builds a new array each time it is read, and every request checks a scope.
    private static let ordered = Scope.allCases

    var bit: UInt32 { 1 << UInt32(Scope.ordered.firstIndex(of: self)!) }

    /// Scopes that holding this one grants as well.
    var implied: [Scope] {
        switch self {
        case .keysAdmin: [.keysRead]
        case .contactsWrite: [.contactsRead]
        case .campaignsWrite: [.campaignsRead]
        case .templatesWrite: [.templatesRead]
        default: []
        }
    }
}
