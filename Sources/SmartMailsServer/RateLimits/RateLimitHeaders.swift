import HTTPTypes
import SmartMailsCore

/// The rate-limit fields of every authenticated response: the IETF draft's `RateLimit-Policy` and `RateLimit`
/// (draft-ietf-httpapi-ratelimit-headers) and the widespread `X-RateLimit-*` trio.
///
/// The names are written in lower case (as HTTP/2 requires, and HTTP/1.1 treats alike): a name given in lower case is
/// its own canonical form, a string literal that needs no reference counting. Mixed case would make the canonical
/// form a heap string shared by every request, whose reference count every core then writes several times per
/// response, which measurably slowed authenticated requests.
enum RateLimitHeaders {
    static let policy = HTTPField.Name("ratelimit-policy")!
    static let rateLimit = HTTPField.Name("ratelimit")!
    static let limit = HTTPField.Name("x-ratelimit-limit")!
    static let remaining = HTTPField.Name("x-ratelimit-remaining")!
    static let reset = HTTPField.Name("x-ratelimit-reset")!
    static let retryAfter = HTTPField.Name.retryAfter

    /// Appends the fields in one call: `HTTPFields` inserts through an unspecialised generic path, whose cost is per
    /// call, not per field. No response has these fields yet, so appending never duplicates one.
    static func apply(_ decision: GCRA.Decision, for key: VerifiedKey, to headers: inout HTTPFields) {
        // Built per response, although two of them depend only on the key's policy: a value longer than 15 bytes is a
        // heap string, and one shared by every request of the key would have its reference count written by both
        // cores several times per response. Formatting a few integers costs less than that.
        let limitText = String(key.rateLimit.requests)
        let remainingText = String(decision.remaining)
        let resetText = String(decision.resetSeconds)
        var fields = [
            HTTPField(name: policy, value: "\"key\";q=" + limitText + ";w=" + String(key.rateLimit.perSeconds)),
            HTTPField(name: rateLimit, value: "\"key\";r=" + remainingText + ";t=" + resetText),
            HTTPField(name: limit, value: limitText),
            HTTPField(name: remaining, value: remainingText),
            HTTPField(name: reset, value: resetText),
        ]
        if !decision.allowed {
            fields.append(HTTPField(name: retryAfter, value: String(decision.retryAfterSeconds)))
        }
        headers.append(contentsOf: fields)
    }
}
