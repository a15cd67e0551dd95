import SmartMailsAPI
import SmartMailsCore

extension Components.Schemas.AuditEvent {
    init(_ event: AuditEvent) {
        self.init(
            id: event.id, object: .auditEvent, occurredAt: event.occurredAt.date, actor: event.actor,
            action: event.action.rawValue, targetType: event.targetType, targetId: event.targetID, ip: event.ip,
            changes: .init(additionalProperties: event.changes)
        )
    }
}
