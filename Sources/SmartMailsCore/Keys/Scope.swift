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

    var bit: UInt32 { 1 << UInt32(Scope.allCases.firstIndex(of: self)!) }

    /// Scopes that holding this one grants as well.
    var implied: [Scope] {
        switch self {
        case .keysAdmin: [.keysRead]
        case .contactsWrite: [.contactsRead]
        case .campaignsWrite: [.campaignsRead]
        default: []
        }
    }
}
