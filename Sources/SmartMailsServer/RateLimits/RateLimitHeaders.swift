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

    /// The fields every authenticated answer gets from the middleware, as a template built once per key load:
    /// `leading` first (a route's own fields, e.g. a cached body's Content-Type and Content-Length), then the five
    /// rate-limit fields and the request id, with the values that only the key's policy decides filled in and the
    /// others left empty for `filling`.
    static func template(for policy: RateLimitPolicy, leading: [HTTPField] = []) -> HTTPFields {
        var fields = HTTPFields()
        fields.reserveCapacity(leading.count + 6)
        fields.append(contentsOf: leading)
        fields.append(contentsOf: [
            HTTPField(name: self.policy, value: policyItem(requests: policy.requests, perSeconds: policy.perSeconds)),
            HTTPField(name: rateLimit, value: ""),
            HTTPField(name: limit, value: FieldText.decimal(policy.requests)),
            HTTPField(name: remaining, value: ""),
            HTTPField(name: reset, value: ""),
            HTTPField(name: RequestEnvelopeMiddleware.requestIDHeader, value: ""),
        ])
        return fields
    }

    /// `template` (from `template(for:leading:)`) with this request's values, and `Retry-After` when it was refused.
    ///
    /// The template is copied once, with room for the fields Hummingbird adds on the way out (Date, Server), and its
    /// empty values are replaced by position. Building the list field by field cost several times as much: appending
    /// to an `HTTPFields` goes through `RangeReplaceableCollection`'s generic path, which copies every field through
    /// the protocol's witness table, and every field made anew validates its value.
    static func filling(_ template: HTTPFields, with decision: GCRA.Decision, requestID: String) -> HTTPFields {
        var fields = template
        fields.reserveCapacity(fields.count + 3)
        let end = fields.endIndex
        // The values that change per response are written into strings of their exact length (`FieldText`), which
        // up to 15 bytes (all of them under the default policy) are stored inline and allocate nothing.
        fields[end - 5] = HTTPField(name: rateLimit, value: remainingItem(remaining: decision.remaining, resetSeconds: decision.resetSeconds))
        fields[end - 3] = HTTPField(name: remaining, value: FieldText.decimal(decision.remaining))
        fields[end - 2] = HTTPField(name: reset, value: FieldText.decimal(decision.resetSeconds))
        fields[end - 1] = HTTPField(name: RequestEnvelopeMiddleware.requestIDHeader, value: requestID)
        if !decision.allowed {
            fields.append(HTTPField(name: retryAfter, value: FieldText.decimal(decision.retryAfterSeconds)))
        }
        return fields
    }

    /// Whether `fields` already hold the rate-limit fields, written by the route that built the answer.
    static func areIncluded(in fields: HTTPFields) -> Bool {
        // The length of the name first: comparing two names that differ compares their bytes.
        fields.contains { $0.name.canonicalName.utf8.count == 9 && $0.name == rateLimit }
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
