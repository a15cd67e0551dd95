import HTTPTypes

/// An error as the API reports it: one JSON shape, `{"error": {type, code, message, param, request_id}}`,
/// with the status and headers that go with it.
struct APIError: Error, Sendable {
    enum Kind: String, Sendable {
        case invalidRequest = "invalid_request_error"
        case authentication = "authentication_error"
        case permission = "permission_error"
        case notFound = "not_found_error"
        case rateLimit = "rate_limit_error"
        case idempotency = "idempotency_error"
        case api = "api_error"
    }

    var status: HTTPResponse.Status
    var kind: Kind
    var code: String
    var message: String
    var param: String?
    var headers: HTTPFields = [:]

    static func badRequest(_ code: String, _ message: String, param: String? = nil) -> APIError {
        APIError(status: .badRequest, kind: .invalidRequest, code: code, message: message, param: param)
    }

    static func unauthorized(_ code: String, _ message: String, challenge: String = #"Bearer error="invalid_token""#) -> APIError {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = challenge
        return APIError(status: .unauthorized, kind: .authentication, code: code, message: message, headers: headers)
    }

    static func forbidden(_ code: String, _ message: String, param: String? = nil) -> APIError {
        APIError(status: .forbidden, kind: .permission, code: code, message: message, param: param)
    }

    static func insufficientScope(_ scope: String) -> APIError {
        .forbidden("insufficient_scope", "This API key lacks the scope '\(scope)' that this operation requires.", param: scope)
    }

    static func notFound(_ what: String, id: String) -> APIError {
        APIError(status: .notFound, kind: .notFound, code: "not_found", message: "No \(what) with id '\(id)' exists in this workspace.", param: "id")
    }

    static func validationFailed(_ message: String, param: String) -> APIError {
        APIError(status: .unprocessableContent, kind: .invalidRequest, code: "validation_failed", message: message, param: param)
    }

    static func payloadTooLarge(maximumBytes: Int) -> APIError {
        APIError(status: .contentTooLarge, kind: .invalidRequest, code: "payload_too_large", message: "The request body is larger than \(maximumBytes) bytes.")
    }

    /// A path that exists, asked with a method it does not take; `Allow` names the ones it does.
    static func methodNotAllowed(allowed: [String]) -> APIError {
        var headers = HTTPFields()
        headers[.allow] = allowed.joined(separator: ", ")
        return APIError(
            status: .methodNotAllowed, kind: .invalidRequest, code: "method_not_allowed",
            message: "This endpoint does not accept that HTTP method. It accepts: \(allowed.joined(separator: ", ")).", headers: headers
        )
    }

    static func internalError() -> APIError {
        APIError(status: .internalServerError, kind: .api, code: "internal_error", message: "Something went wrong on our side. The request id identifies it in the server log.")
    }
}
