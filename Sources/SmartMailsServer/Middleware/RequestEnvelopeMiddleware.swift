import HTTPTypes
import Hummingbird
import Logging
import SmartMailsCore

/// The outermost layer of every request: gives it a `Request-Id`, turns any error into the API's error shape,
/// logs it without secrets, and records the request in the metrics.
struct RequestEnvelopeMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let requestIDHeader = HTTPField.Name("Request-Id")!

    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = MonotonicClock.nanoseconds()
        var context = context
        context.requestID = ResourceID.make(prefix: "req")
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let apiError = APIError.from(error)
            if apiError.status.code >= 500 {
                // The path is logged without its query, which could carry a secret someone pasted there.
                context.logger.error("request failed", metadata: ["path": .string(request.uri.path), "error": "\(error)"])
            }
            response = apiError.response(requestID: context.requestID)
        }
        response.headers[Self.requestIDHeader] = context.requestID
        metrics.recordRequest(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue,
            status: response.status.code, nanoseconds: MonotonicClock.nanoseconds() - started
        )
        return response
    }
}
