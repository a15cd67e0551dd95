import SmartMailsAPI
import SmartMailsCore

extension Components.Schemas.AuditEvent {
    /// Fails (a 500) for an action the spec does not list: `OperationPolicyTests` keeps the two lists equal.
    init(_ event: AuditEvent) throws(APIError) {
        guard let action = Components.Schemas.AuditAction(rawValue: event.action.rawValue) else { throw APIError.internalError() }
        self.init(
            id: event.id, object: .auditEvent, occurredAt: event.occurredAt.date, actor: event.actor,
            action: action, targetType: event.targetType, targetId: event.targetID, ip: event.ip,
            changes: .init(additionalProperties: event.changes)
        )
    }
}
