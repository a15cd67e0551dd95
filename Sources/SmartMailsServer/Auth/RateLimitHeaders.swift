import HTTPTypes
import SmartMailsCore

/// The rate-limit fields of every authenticated response: the IETF draft's `RateLimit-Policy` and `RateLimit`
/// (draft-ietf-httpapi-ratelimit-headers) and the widespread `X-RateLimit-*` trio.
enum RateLimitHeaders {
    static let policy = HTTPField.Name("RateLimit-Policy")!
    static let rateLimit = HTTPField.Name("RateLimit")!
    static let limit = HTTPField.Name("X-RateLimit-Limit")!
    static let remaining = HTTPField.Name("X-RateLimit-Remaining")!
    static let reset = HTTPField.Name("X-RateLimit-Reset")!
    static let retryAfter = HTTPField.Name.retryAfter

    static func apply(_ decision: GCRARateLimiter.Decision, policy: RateLimitPolicy, to headers: inout HTTPFields) {
        headers[Self.policy] = "\"key\";q=\(policy.requests);w=\(policy.perSeconds)"
        headers[rateLimit] = "\"key\";r=\(decision.remaining);t=\(decision.resetSeconds)"
        headers[limit] = String(decision.limit)
        headers[remaining] = String(decision.remaining)
        headers[reset] = String(decision.resetSeconds)
        if !decision.allowed {
            headers[retryAfter] = String(decision.retryAfterSeconds)
        }
    }
}
