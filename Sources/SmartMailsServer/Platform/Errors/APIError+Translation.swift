import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIRuntime

extension APIError {
    /// Translates whatever a handler or middleware threw into what the client sees. Domain errors say so themselves
    /// (`APIErrorConvertible`); this handles the framework's own failures, and makes anything unknown a 500 without
    /// internals.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as any APIErrorConvertible:
            return error.apiError
        case let error as ServerError:
            return translateServerError(error)
        case let error as DecodingError:
            return decodingFailure(error)
        case let error as any HTTPResponseError:
            switch error.status {
            case .contentTooLarge:
                return .payloadTooLarge(maximumBytes: ServerConfiguration.maximumBodyBytes)
            case .notFound:
                return APIError(status: .notFound, kind: .notFound, code: "route_not_found", message: "No such endpoint. See /docs for the API.")
            case .methodNotAllowed:
                return APIError(status: .methodNotAllowed, kind: .invalidRequest, code: "method_not_allowed", message: "This endpoint does not accept that HTTP method.")
            case let status where status.code < 500:
                return APIError(status: status, kind: .invalidRequest, code: "invalid_request", message: status.reasonPhrase)
            default:
                return .internalError()
            }
        default:
            return .internalError()
        }
    }

    /// The OpenAPI runtime wraps both our handlers' errors and its own failures to read a request.
    private static func translateServerError(_ error: ServerError) -> APIError {
        let translated = from(error.underlyingError)
        // The runtime's own request-reading failures (content type, missing body or parameter) carry a 4xx status.
        if translated.status == .internalServerError, (400..<500).contains(error.httpStatus.code) {
            return .badRequest("invalid_request", error.causeDescription)
        }
        return translated
    }

    private static func decodingFailure(_ error: DecodingError) -> APIError {
        func path(_ context: DecodingError.Context, appending key: (any CodingKey)? = nil) -> String? {
            var keys = context.codingPath
            if let key { keys.append(key) }
            let rendered = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            let trimmed = rendered.hasPrefix(".") ? String(rendered.dropFirst()) : rendered
            return trimmed.isEmpty ? nil : trimmed
        }
        switch error {
        case .keyNotFound(let key, let context):
            let param = path(context, appending: key) ?? key.stringValue
            return .badRequest("missing_parameter", "The required field '\(param)' is missing.", param: param)
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let param = path(context)
            // No coding path: the body as a whole, or a path or query parameter (the runtime does not say which).
            return .badRequest("invalid_type", param.map { "The field '\($0)' has the wrong type." } ?? "The body or a parameter has the wrong type; see /docs for this operation.", param: param)
        case .dataCorrupted(let context):
            let param = path(context)
            if context.debugDescription.lowercased().contains("additional properties") {
                return .badRequest("unknown_parameter", "The body has fields this operation does not accept: \(context.debugDescription)", param: param)
            }
            guard let param else { return .badRequest("invalid_json", "The request body is not valid JSON.") }
            // Foundation words a value outside an enum as "Cannot initialize <Swift type> from invalid String value
            // <value>"; the client gets the value, not our type names.
            let marker = "from invalid String value "
            let value = context.debugDescription.range(of: marker).map { "'\(context.debugDescription[$0.upperBound...].prefix(64))' " } ?? ""
            return .badRequest("invalid_value", "The value \(value)is not one that '\(param)' accepts; /docs lists them.", param: param)
        @unknown default:
            return .badRequest("invalid_request", "The request body could not be read.")
        }
    }
}
