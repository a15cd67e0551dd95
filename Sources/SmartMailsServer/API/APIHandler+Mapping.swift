import Foundation
import SmartMailsAPI
import SmartMailsCore

/// Conversions between domain values and the generated wire types.
extension Timestamp {
    var date: Date { Date(timeIntervalSince1970: Double(millisecondsSinceEpoch) / 1000) }

    init(_ date: Date) {
        self.init(millisecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }
}

extension Components.Schemas.ApiKey {
    init(_ key: APIKey, now: Timestamp = .now) {
        let status: StatusPayload =
            if key.revokedAt != nil { .revoked } else if let expiresAt = key.expiresAt, expiresAt <= now { .expired } else { .active }
        self.init(
            id: key.id, object: .apiKey, name: key.name, mode: key.mode == .live ? .live : .test,
            prefix: key.displayPrefix, last4: key.lastFour, scopes: key.scopes.scopes.map(\.rawValue),
            allowedIps: key.allowedIPs.blocks.map(\.description),
            rateLimit: .init(requests: key.rateLimit.requests, perSeconds: key.rateLimit.perSeconds),
            status: status, expiresAt: key.expiresAt?.date, createdAt: key.createdAt.date, createdBy: key.createdBy,
            lastUsedAt: key.lastUsedAt?.date, lastUsedIp: key.lastUsedIP, revokedAt: key.revokedAt?.date
        )
    }
}

extension Components.Schemas.AuditEvent {
    init(_ event: AuditEvent) {
        self.init(
            id: event.id, object: .auditEvent, occurredAt: event.occurredAt.date, actor: event.actor,
            action: event.action.rawValue, targetType: event.targetType, targetId: event.targetID, ip: event.ip,
            changes: .init(additionalProperties: event.changes)
        )
    }
}

extension Components.Schemas.RateLimitSetting {
    var policy: RateLimitPolicy { RateLimitPolicy(requests: requests, perSeconds: perSeconds) }
}

extension APIKeyMode {
    init(_ mode: Components.Schemas.CreateApiKeyRequest.ModePayload) {
        self = mode == .live ? .live : .test
    }
}
