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

    /// Appends rather than sets: no response has these fields yet, and setting would search the fields each time.
    static func apply(_ decision: GCRA.Decision, policy: RateLimitPolicy, to headers: inout HTTPFields) {
        let remainingText = String(decision.remaining)
        let resetText = String(decision.resetSeconds)
        headers.append(HTTPField(name: Self.policy, value: "\"key\";q=" + String(policy.requests) + ";w=" + String(policy.perSeconds)))
        headers.append(HTTPField(name: rateLimit, value: "\"key\";r=" + remainingText + ";t=" + resetText))
        headers.append(HTTPField(name: limit, value: String(decision.limit)))
        headers.append(HTTPField(name: remaining, value: remainingText))
        headers.append(HTTPField(name: reset, value: resetText))
        if !decision.allowed {
            headers.append(HTTPField(name: retryAfter, value: String(decision.retryAfterSeconds)))
        }
    }
}
