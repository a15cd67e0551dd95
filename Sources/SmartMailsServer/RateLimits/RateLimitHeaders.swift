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

    /// The fields for `decision`, with room for one more (the middleware adds the request id in the same batch).
    /// Appended to a response in one call rather than set by name: setting a field by name first scans every field
    /// already there, comparing names as strings, which for these five on a response that soon has ten cost more
    /// than the key check. No response has these fields yet, so appending never duplicates one.
    static func fields(for decision: GCRA.Decision, of key: VerifiedKey) -> [HTTPField] {
        // The values that change per response are written into strings of their exact length (`FieldText`), which
        // up to 15 bytes (all of them under the default policy) are stored inline and allocate nothing.
        var fields: [HTTPField] = []
        fields.reserveCapacity(7)
        fields.append(key.policyFields.policy)
        fields.append(HTTPField(name: rateLimit, value: remainingItem(remaining: decision.remaining, resetSeconds: decision.resetSeconds)))
        fields.append(key.policyFields.limit)
        fields.append(HTTPField(name: remaining, value: FieldText.decimal(decision.remaining)))
        fields.append(HTTPField(name: reset, value: FieldText.decimal(decision.resetSeconds)))
        if !decision.allowed {
            fields.append(HTTPField(name: retryAfter, value: FieldText.decimal(decision.retryAfterSeconds)))
        }
        return fields
    }

    /// The two fields that depend only on the key's policy, built once per `VerifiedKey`.
    static func policyFields(for policy: RateLimitPolicy) -> (policy: HTTPField, limit: HTTPField) {
        (
            HTTPField(name: Self.policy, value: policyItem(requests: policy.requests, perSeconds: policy.perSeconds)),
            HTTPField(name: limit, value: FieldText.decimal(policy.requests))
        )
    }

    /// `RateLimit-Policy`'s item for the policy named "key": `"key";q=60;w=60`.
    static func policyItem(requests: Int, perSeconds: Int) -> String {
        FieldText.join(#""key";q="#, requests, ";w=", perSeconds)
    }

    /// `RateLimit`'s item for the policy named "key": `"key";r=59;t=1`.
    static func remainingItem(remaining: Int, resetSeconds: Int) -> String {
        FieldText.join(#""key";r="#, remaining, ";t=", resetSeconds)
    }
}
