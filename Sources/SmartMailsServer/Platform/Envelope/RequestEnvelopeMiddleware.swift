import HTTPTypes
import Hummingbird
import Logging
import OpenAPIRuntime
import SmartMailsCore
import SmartMailsStore

/// The outermost layer of every request: gives it a `Request-Id`, turns any error into the API's error shape, logs
/// server errors without secrets, and records the request in the metrics.
struct RequestEnvelopeMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let requestIDHeader = HTTPField.Name("Request-Id")!

    let metrics: ServerMetrics
    let allowedMethods: AllowedMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = MonotonicClock.nanoseconds()
        var context = context
        context.requestID = ResourceID.make(prefix: "req")
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        let scope = RequestScope(requestID: context.requestID, peerAddress: context.peerAddress, logger: context.logger)
        var response: Response
        do {
            response = try await RequestScope.$current.withValue(scope) { try await next(request, context) }
        } catch let error as HTTPError where error.status == .notFound {
            // Only the router throws this (our handlers throw `APIError`): no route matched. A known path asked with
            // another method is a 405; anything else the 404.
            let unmatched: any Error = allowedMethods.methods(for: request.uri.path[...]).map { APIError.methodNotAllowed(allowed: $0) } ?? error
            response = Self.response(for: unmatched, path: request.uri.path, scope: scope)
        } catch {
            response = Self.response(for: error, path: request.uri.path, scope: scope)
        }
        response.headers[Self.requestIDHeader] = context.requestID
        metrics.recordRequest(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue,
            status: response.status.code, nanoseconds: MonotonicClock.nanoseconds() - started
        )
        return response
    }

    /// The API's error shape for `error`; server errors are logged.
    static func response(for error: any Error, path: String, scope: RequestScope) -> Response {
        let apiError = APIError.from(error)
        logIfServerError(apiError, cause: error, path: path, logger: scope.logger)
        return apiError.response(requestID: scope.requestID)
    }

    static func logIfServerError(_ apiError: APIError, cause: any Error, path: String, logger: Logger) {
        guard apiError.status.code >= 500 else { return }
        // The path is logged without its query, which could carry a secret someone pasted there. The generated
        // server's error describes the whole request, headers (a Bearer key) and decoded body included: only its
        // operation and underlying error are logged.
        var metadata: Logger.Metadata = ["path": .string(path)]
        var underlying = cause
        if let serverError = cause as? ServerError {
            metadata["operation"] = .string(serverError.operationID)
            underlying = serverError.underlyingError
        }
        metadata["error"] = .string(DatabaseErrorDescription.describe(underlying))
        logger.error("request failed", metadata: metadata)
    }
}
