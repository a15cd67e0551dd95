import SmartMailsCore

/// Who makes a change that is audited: an API key, a dashboard member, or `system` (the CLI), and from where.
public struct ChangeActor: Sendable {
    public var id: String
    public var ip: String?
    /// What a contact's history says it came through: `api`, `dashboard`, `cli`.
    public var channel: String

    public init(id: String, ip: String?, channel: String) {
        self.id = id
        self.ip = ip
        self.channel = channel
    }

    public static let system = ChangeActor(id: "system", ip: nil, channel: "cli")

    func audit(_ action: AuditAction, workspaceID: String, targetType: String, targetID: String, changes: [String: String] = [:], at now: Timestamp) -> AuditEvent {
        AuditEvent(workspaceID: workspaceID, occurredAt: now, actor: id, action: action, targetType: targetType, targetID: targetID, ip: ip, changes: changes)
    }
}
