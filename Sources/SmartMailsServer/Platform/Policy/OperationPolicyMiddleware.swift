import HTTPTypes
import OpenAPIRuntime
import SmartMailsApp
import SmartMailsCore

/// Enforces each operation's policy from the spec (`OperationPolicy`), keyed by `operationId`, in front of the
/// generated handlers: the key and its rate limit, the scope, the body limit, `Idempotency-Key`, and the rate-limit
/// fields and metering of every answer a key gets. No handler checks any of these itself.
struct OperationPolicyMiddleware: ServerMiddleware {
    let policies: OperationPolicies
    let authenticator: Authenticator
    let rateLimiter: any RateLimiting
    let idempotency: IdempotencyLayer
    let usage: UsageRecorder
    let metrics: ServerMetrics

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        // Every operation has a policy (they are read from the same spec the handlers are generated from); one
        // without would be a build that must not serve it.
        guard let policy = policies[operationID], let scope = RequestScope.current else { throw APIError.internalError() }
        guard case .key(let requiredScope) = policy.access else {
            let bytes = try await RequestBodyReader.read(body, of: request, maximumBytes: policy.maximumBodyBytes)
            return try await next(request, bytes.map { HTTPBody($0) }, metadata)
        }
        let (verified, clientAddress) = try await authenticator.authenticate(request, peer: scope.peerAddress)
        let decision = await rateLimiter.acquire(verified)
        let caller = Caller(verified: verified, clientAddress: clientAddress)
        let rateLimitFields = RateLimitHeaders.fields(for: decision, policy: verified.rateLimit)

        var (response, responseBody): (HTTPResponse, HTTPBody?)
        var received: [UInt8]?
        do {
            guard decision.allowed else {
                metrics.recordRateLimited()
                throw APIError(
                    status: .tooManyRequests, kind: .rateLimit, code: "rate_limited",
                    message: "This key may make \(verified.rateLimit.requests) requests per \(verified.rateLimit.perSeconds) s. Retry after \(decision.retryAfterSeconds) s."
                )
            }
            if let requiredScope, !verified.scopes.contains(requiredScope) {
                throw APIError.insufficientScope(requiredScope.rawValue)
            }
            try QueryLimits.check(request, policy.queryLimits)
            if policy.streamedBody {
                // An upload goes to its handler as it arrives; the handler's service enforces the size as it reads.
                if let declared = request.headerFields[.contentLength].flatMap({ Int($0) }), declared > policy.maximumBodyBytes {
                    throw APIError.payloadTooLarge(maximumBytes: policy.maximumBodyBytes)
                }
                (response, responseBody) = try await Caller.$current.withValue(caller) { try await next(request, body, metadata) }
            } else {
                let bytes = try await RequestBodyReader.read(body, of: request, maximumBytes: policy.maximumBodyBytes)
                received = bytes
                if let bytes, !policy.acceptsNull, request.headerFields[.contentType]?.lowercased().hasPrefix("application/json") == true {
                    try JSONBodyChecks.refuseNulls(in: bytes, tolerating: policy.parsedMembers)
                }
                (response, responseBody) = try await Caller.$current.withValue(caller) {
                    guard policy.idempotent else { return try await next(request, bytes.map { HTTPBody($0) }, metadata) }
                    return try await idempotency.handle(request, body: bytes, workspaceID: verified.workspaceID) { bytes in
                        try await next(request, bytes.map { HTTPBody($0) }, metadata)
                    }
                }
            }
        } catch {
            // Answered here rather than thrown on, so that a refusal or failure still carries the key's rate-limit
            // fields and is metered like any other answer of the key.
            var apiError = APIError.from(error)
            if apiError.code == "invalid_json", let received, let explained = JSONBodyChecks.explainUndecodable(received) {
                apiError = explained
            }
            RequestEnvelopeMiddleware.logIfServerError(apiError, cause: error, path: Self.pathWithoutQuery(request), logger: scope.logger)
            (response, responseBody) = apiError.openAPIResponse(requestID: scope.requestID)
        }
        response.headerFields.append(contentsOf: rateLimitFields)
        usage.record(verified, status: response.status.code, clientAddress: clientAddress)
        return (response, responseBody)
    }

    private static func pathWithoutQuery(_ request: HTTPRequest) -> String {
        String((request.path ?? "").prefix { $0 != "?" })
    }
}
