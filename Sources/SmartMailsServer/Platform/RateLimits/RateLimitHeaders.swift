import HTTPTypes
import SmartMailsCore

/// The rate-limit fields of every authenticated response: the IETF draft's `RateLimit-Policy` and `RateLimit`
/// (draft-ietf-httpapi-ratelimit-headers), the widespread `X-RateLimit-*` trio, and `Retry-After` on a refusal.
enum RateLimitHeaders {
    static let policy = HTTPField.Name("RateLimit-Policy")!
    static let rateLimit = HTTPField.Name("RateLimit")!
    static let limit = HTTPField.Name("X-RateLimit-Limit")!
    static let remaining = HTTPField.Name("X-RateLimit-Remaining")!
    static let reset = HTTPField.Name("X-RateLimit-Reset")!

    /// The fields for an answer under `decision`, taken for a key with `policy`.
    static func fields(for decision: GCRA.Decision, policy: RateLimitPolicy) -> HTTPFields {
        var fields = HTTPFields()
        fields.reserveCapacity(6)
        fields.append(HTTPField(name: Self.policy, value: #""key";q=\#(policy.requests);w=\#(policy.perSeconds)"#))
        fields.append(HTTPField(name: rateLimit, value: #""key";r=\#(decision.remaining);t=\#(decision.resetSeconds)"#))
        fields.append(HTTPField(name: limit, value: String(policy.requests)))
        fields.append(HTTPField(name: remaining, value: String(decision.remaining)))
        fields.append(HTTPField(name: reset, value: String(decision.resetSeconds)))
        if !decision.allowed {
            fields.append(HTTPField(name: .retryAfter, value: String(decision.retryAfterSeconds)))
        }
        return fields
    }
}
