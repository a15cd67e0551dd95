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
