import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Hands the generated handlers no body at all when the request's body is empty. The Hummingbird transport always
/// passes a body, and the runtime would try to decode zero bytes as JSON for operations whose body is optional
/// (`POST /v1/api-keys/{id}/roll` without options).
struct EmptyBodyMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        // A request that declares no body (most GETs and DELETEs) skips the collection below entirely.
        guard let body, request.headerFields.declaresBody else {
            return try await next(request, nil, metadata)
        }
        // BodyLimitMiddleware has already bounded and buffered the body, so collecting it here copies at most that.
        let bytes = try await [UInt8](collecting: body, upTo: ServerConfiguration.maximumBodyBytes)
        return try await next(request, bytes.isEmpty ? nil : HTTPBody(bytes), metadata)
    }
}
