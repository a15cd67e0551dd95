import HTTPTypes
import SmartMailsCore

/// The fields the middleware adds to one key's answers, built once per key load: `leading` (a route's own fields,
/// e.g. a cached body's Content-Type and Content-Length), the five rate-limit fields (`RateLimitHeaders`) and the
/// request id. The values only the key's policy decides are written once; the others per answer, into a copy.
///
/// Filling a copy by position is what makes this cheap: appending to an `HTTPFields` goes through
/// `RangeReplaceableCollection`'s generic path, which copies every field through the protocol's witness table, and
/// every field made anew validates its value; building the list that way cost several times as much.
struct RateLimitFieldTemplate: Sendable {
    /// Fields Hummingbird adds on the way out (Date, Server), and on a 429 Retry-After and the error body's
    /// Content-Type and Content-Length: room for them comes with each copy, so that adding them does not grow the list
    /// (a second allocation and a copy of every field).
    private static let roomForAdditions = 5

    private let template: HTTPFields
    /// Where the values set per answer sit in `template`.
    private let rateLimitIndex: Int
    private let remainingIndex: Int
    private let resetIndex: Int
    private let requestIDIndex: Int

    init(policy: RateLimitPolicy, leading: [HTTPField] = []) {
        var fields = HTTPFields()
        fields.reserveCapacity(leading.count + 6)
        fields.append(contentsOf: leading)
        fields.append(contentsOf: [
            HTTPField(name: RateLimitHeaders.policy, value: RateLimitHeaders.policyItem(requests: policy.requests, perSeconds: policy.perSeconds)),
            HTTPField(name: RateLimitHeaders.rateLimit, value: ""),
            HTTPField(name: RateLimitHeaders.limit, value: FieldText.decimal(policy.requests)),
            HTTPField(name: RateLimitHeaders.remaining, value: ""),
            HTTPField(name: RateLimitHeaders.reset, value: ""),
            HTTPField(name: RequestEnvelopeMiddleware.requestIDHeader, value: ""),
        ])
        template = fields
        func index(of name: HTTPField.Name) -> Int { fields.lastIndex { $0.name == name }! }
        rateLimitIndex = index(of: RateLimitHeaders.rateLimit)
        remainingIndex = index(of: RateLimitHeaders.remaining)
        resetIndex = index(of: RateLimitHeaders.reset)
        requestIDIndex = index(of: RequestEnvelopeMiddleware.requestIDHeader)
    }

    /// The fields for an answer under `decision` to the request `requestID`, with `Retry-After` when it was refused:
    /// a copy of the template with room for what is added later, its empty values replaced in place.
    func fields(for decision: GCRA.Decision, requestID: String) -> HTTPFields {
        var fields = template
        fields.reserveCapacity(fields.count + Self.roomForAdditions)
        // The values that change per answer are written into strings of their exact length (`FieldText`), which up
        // to 15 bytes (all of them under the default policy) are stored inline and allocate nothing.
        fields[rateLimitIndex] = HTTPField(
            name: RateLimitHeaders.rateLimit,
            value: RateLimitHeaders.remainingItem(remaining: decision.remaining, resetSeconds: decision.resetSeconds)
        )
        fields[remainingIndex] = HTTPField(name: RateLimitHeaders.remaining, value: FieldText.decimal(decision.remaining))
        fields[resetIndex] = HTTPField(name: RateLimitHeaders.reset, value: FieldText.decimal(decision.resetSeconds))
        fields[requestIDIndex] = HTTPField(name: RequestEnvelopeMiddleware.requestIDHeader, value: requestID)
        if !decision.allowed {
            fields.append(HTTPField(name: RateLimitHeaders.retryAfter, value: FieldText.decimal(decision.retryAfterSeconds)))
        }
        return fields
    }
}
