import HTTPTypes
import Hummingbird
import SmartMailsCore

/// Guards `/v1`: authenticates the bearer key, applies its IP allowlist and rate limit, makes it the request's
/// `Caller`, stamps the rate-limit headers on whatever the request returns (unless its route wrote them from the
/// caller's decision), and meters the request for the key.
///
/// It runs the request envelope's steps itself, in the same layer, instead of being chained behind the envelope:
/// each layer Hummingbird chains costs a call through an existential, a closure and a copy of the context, and
/// on the API's cheapest route that was a measurable part of the whole request.
struct APIKeyAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let envelope: RequestEnvelopeMiddleware
    let verifier: KeyVerifier
    let rateLimiter: any RateLimiting
    let addressResolver: ClientAddressResolver
    let usage: UsageRecorder
    let metrics: ServerMetrics

    private static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    private static let bearerScheme: StaticString = "bearer "
    private static let queryKeyNames: Set<String> = ["api_key", "apikey", "key", "access_token", "token"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let started = envelope.open(&context)
        let response: Response
        let carriesRequestID: Bool
        do {
            response = try await authenticate(request, context: &context, next: next)
            carriesRequestID = true
        } catch {
            response = envelope.response(for: error, to: request, context: context)
            carriesRequestID = false
        }
        return envelope.close(response, of: request, context: context, started: started, carriesRequestID: carriesRequestID)
    }

    // Inlined: as a separate async function it cost a frame allocation and two task switches per request.
    @inline(__always)
    private func authenticate(
        _ request: Request, context: inout Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if Self.carriesKeyInQuery(request) {
            metrics.recordAuthFailure(reason: "api_key_in_query")
            throw APIError.badRequest(
                "api_key_in_query",
                "API keys are accepted only in the Authorization header, never in the URL, where they end up in logs. Revoke a key that was sent this way."
            )
        }
        let token: Substring
        do throws(APIError) {
            token = try Self.bearerToken(request)
        } catch {
            metrics.recordAuthFailure(reason: error.code)
            throw error
        }
        // X-Forwarded-For is looked up only when some proxy is trusted: otherwise it is ignored anyway.
        let forwardedFor = addressResolver.trustedProxies.isUnrestricted ? nil : request.headers[Self.forwardedFor]
        let clientAddress = addressResolver.clientAddress(peer: context.peerAddress, forwardedFor: forwardedFor)
        // One wall-clock reading for the expiry check and the usage record: each reading costs as much as a hash lookup.
        let now = Timestamp.now
        let verified: VerifiedKey
        do throws(APIError) {
            if let cached = try verifier.verifyCached(token: token, clientIP: clientAddress, now: now) {
                verified = cached
            } else {
                verified = try await verifier.verify(token: token, clientIP: clientAddress, now: now)
            }
        } catch {
            metrics.recordAuthFailure(reason: error.code)
            throw error
        }
        let policy = verified.rateLimit
        let decision: GCRA.Decision
        if let immediate = rateLimiter.acquireWithoutWaiting(verified) {
            decision = immediate
        } else {
            decision = await rateLimiter.acquire(key: verified.id, policy: policy)
        }
        // The rate-limit fields and the request id go out in one batch from the key's template, so that the envelope
        // need not look for the id among ten fields.
        var response: Response
        if decision.allowed {
            context.caller = Caller(verified: verified, clientAddress: clientAddress, rateLimit: decision)
            do {
                response = try await next(request, context)
            } catch {
                // Turned into a response here, not thrown on, so that it gets the rate-limit fields below; through
                // the envelope's own step, so that a server error is logged like any other.
                response = envelope.response(for: error, to: request, context: context)
            }
            // A route may have built its answer with them already, from the caller's decision (`GET /v1/me` does).
            if !RateLimitHeaders.areIncluded(in: response.headers) {
                response.headers.append(contentsOf: verified.answerFields.fields(for: decision, requestID: context.requestID))
            }
        } else {
            metrics.recordRateLimited()
            // A client over its limit may keep sending by the thousand: the refusal is built with its fields,
            // Retry-After included, in one step.
            response = APIError(
                status: .tooManyRequests, kind: .rateLimit, code: "rate_limited",
                message: "This key may make \(policy.requests) requests per \(policy.perSeconds) s. Retry after \(decision.retryAfterSeconds) s."
            ).response(requestID: context.requestID, leadingFields: verified.answerFields.fields(for: decision, requestID: context.requestID))
        }
        usage.record(verified, status: response.status.code, clientAddress: clientAddress, at: now)
        return response
    }

    private static func bearerToken(_ request: Request) throws(APIError) -> Substring {
        guard let header = try authorizationValue(request.headers), !header.isEmpty else {
            throw APIError.unauthorized(
                "missing_api_key", "No API key was sent. Send it as 'Authorization: Bearer sm_live_…'.", challenge: #"Bearer realm="SmartMails""#
            )
        }
        guard let token = Self.credentials(afterBearerIn: header) else {
            throw APIError.unauthorized("malformed_api_key", "Use the Bearer scheme: 'Authorization: Bearer sm_live_…'.")
        }
        return token
    }

    /// What follows `Bearer ` (the scheme case-insensitive, RFC 9110), without surrounding spaces and tabs; nil for
    /// another scheme. Read as bytes in one pass: through `String`'s character views the same steps measurably
    /// slowed every request.
    static func credentials(afterBearerIn header: String) -> Substring? {
        var header = header
        let bounds: (start: Int, end: Int)? = header.withUTF8 { bytes in
            guard bytes.count >= 7, Self.bearerScheme.withUTF8Buffer({ scheme in
                // Or-ing 0x20 lowers an ASCII capital and leaves the space a space.
                scheme.indices.allSatisfy { bytes[$0] | 0x20 == scheme[$0] }
            }) else { return nil }
            var start = 7
            var end = bytes.count
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            return (start, end)
        }
        guard let bounds else { return nil }
        let utf8 = header.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: bounds.start)
        return header[lower..<utf8.index(lower, offsetBy: bounds.end - bounds.start)]
    }

    /// The Authorization field, found by a plain scan: `HTTPFields`' name subscript joins every field of that name
    /// into a new string through a lazy generic sequence, which cost as much as verifying the key. Several
    /// Authorization fields are refused rather than one picked: a proxy in front may have read another one.
    private static func authorizationValue(_ fields: HTTPFields) throws(APIError) -> String? {
        var found: String?
        for field in fields where field.name == .authorization {
            guard found == nil else {
                throw APIError.unauthorized("malformed_api_key", "Send one Authorization header; this request has several.")
            }
            found = field.value
        }
        return found
    }

    private static func carriesKeyInQuery(_ request: Request) -> Bool {
        guard let query = request.uri.query, !query.isEmpty else { return false }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let name = parts.first.map { $0.lowercased() } ?? ""
            let value = parts.count == 2 ? parts[1] : ""
            if queryKeyNames.contains(name) || value.hasPrefix("sm_live_") || value.hasPrefix("sm_test_") {
                return true
            }
        }
        return false
    }
}
