import HTTPTypes
import SmartMailsApp
import SmartMailsCore

extension KeyServiceError: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .notFound(let id): .notFound("API key", id: id)
        case .revoked(let id, let at):
            APIError(
                status: .conflict, kind: .invalidRequest, code: "key_already_revoked",
                message: "The API key \(id) was revoked\(at.map { " at \(UTCDateTranscoder.rfc3339($0.date))" } ?? ""); a revoked key can be read but never changed, rolled or revoked again.",
                param: "id"
            )
        }
    }
}

extension KeyGrantError: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .scopesExceedCreator(let missing):
            .forbidden("scope_not_grantable", "A key cannot grant scopes it does not hold itself: \(missing.map(\.rawValue).joined(separator: ", ")).", param: "scopes")
        case .testKeyCannotCreateLiveKey:
            .forbidden("mode_not_grantable", "A test (sm_test_) key can only create test keys.", param: "mode")
        case .sendingLimitsExceedCreator(let limits):
            .forbidden(
                "sending_limits_not_grantable",
                "A key cannot grant wider sending limits than its own: from \(limits.fromDomains.isEmpty ? "any domain" : limits.fromDomains.joined(separator: ", ") + " (and subdomains)")"
                    + ", \(limits.dailyRecipients.map { "at most \($0) recipients a day" } ?? "no daily quota").",
                param: "sending_limits"
            )
        }
    }
}

extension ScopeParseError: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .unknown(let name):
            .validationFailed("'\(name)' is not a scope or preset. Valid: \(Scope.allCases.map(\.rawValue).joined(separator: ", ")), read, write, admin.", param: "scopes")
        case .empty:
            .validationFailed("At least one scope is required.", param: "scopes")
        }
    }
}
