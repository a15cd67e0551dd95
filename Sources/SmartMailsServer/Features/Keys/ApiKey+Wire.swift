import SmartMailsAPI
import SmartMailsApp
import SmartMailsCore

/// Conversions between the key domain and the generated wire types.
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
            lastUsedAt: key.lastUsedAt?.date, lastUsedIp: key.lastUsedIP, revokedAt: key.revokedAt?.date,
            sendingLimits: .init(fromDomains: key.sendingLimits.fromDomains.isEmpty ? nil : key.sendingLimits.fromDomains, dailyRecipients: key.sendingLimits.dailyRecipients)
        )
    }
}

extension Components.Schemas.SendingLimits {
    var limits: SendingLimits {
        get throws(ValidationError) { try SendingLimits(fromDomains: fromDomains ?? [], dailyRecipients: dailyRecipients) }
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

extension Components.Schemas.ApiKeyUsage {
    init(_ report: KeyUsageReport, recipients: MessageService.RecipientsToday) {
        func counts(_ byClass: [Int: Int]) -> Components.Schemas.StatusClassCounts {
            .init(_2xx: byClass[2] ?? 0, _3xx: byClass[3] ?? 0, _4xx: byClass[4] ?? 0, _5xx: byClass[5] ?? 0)
        }
        self.init(
            keyId: report.keyID, since: report.since.date, until: report.until.date, total: report.total,
            byStatusClass: counts(report.byStatusClass),
            minutes: report.minutes.map { .init(minute: $0.minute.date, total: $0.total, byStatusClass: counts($0.byStatusClass)) },
            dailyRecipients: .init(day: recipients.day, used: recipients.used, quota: recipients.quota, resetsAt: recipients.resetsAt.date)
        )
    }
}
