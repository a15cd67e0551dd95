import Hummingbird

/// Refuses bodies over the API's limit with 413 before they are read whole, and buffers smaller ones so the
/// handlers and the idempotency layer can read them.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let maximumBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers.declaresBody else {
            return try await next(request, context)
        }
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > maximumBytes {
            throw tooLarge
        }
        var request = request
        do {
            _ = try await request.collectBody(upTo: maximumBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        }
        return try await next(request, context)
    }

    private var tooLarge: APIError {
        APIError(status: .contentTooLarge, kind: .invalidRequest, code: "payload_too_large", message: "The request body is larger than \(maximumBytes) bytes.")
    }
}
