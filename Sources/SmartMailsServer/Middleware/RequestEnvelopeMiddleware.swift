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
        var context = context
        let started = open(&context)
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = self.response(for: error, to: request, context: context)
        }
        return close(response, of: request, context: context, started: started)
    }

    // The three steps are separate so that `APIKeyAuthMiddleware` can run them around its own work in one layer.

    /// Gives the request its id, in the context and the logger; returns the clock reading `close` measures from.
    func open(_ context: inout Context) -> Int64 {
        let started = MonotonicClock.nanoseconds()
        context.requestID = ResourceID.make(prefix: "req")
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        return started
    }

    /// The API's error shape for anything thrown below the envelope; server errors are logged.
    func response(for error: any Error, to request: Request, context: Context) -> Response {
        let apiError = APIError.from(error)
        if apiError.status.code >= 500 {
            // The path is logged without its query, which could carry a secret someone pasted there.
            context.logger.error("request failed", metadata: ["path": .string(request.uri.path), "error": "\(error)"])
        }
        return apiError.response(requestID: context.requestID)
    }

    /// Stamps the request id on the response, unless `carriesRequestID` says a layer below added it already, and
    /// records the request in the metrics.
    func close(
        _ response: consuming Response, of request: Request, context: Context, started: Int64, carriesRequestID: Bool = false
    ) -> Response {
        var response = response
        if !carriesRequestID {
            response.headers[Self.requestIDHeader] = context.requestID
        }
        metrics.recordRequest(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue,
            status: response.status.code, nanoseconds: MonotonicClock.nanoseconds() - started
        )
        return response
    }
}
