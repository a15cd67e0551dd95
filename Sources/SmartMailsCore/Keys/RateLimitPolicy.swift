/// How many requests a key may make per window: 60 per 60 s unless the key says otherwise.
public struct RateLimitPolicy: Sendable, Hashable, Codable {
    public static let `default` = RateLimitPolicy(requests: 60, perSeconds: 60)
    public static let requestsRange = 1...100_000
    public static let secondsRange = 1...86_400

    public var requests: Int
    public var perSeconds: Int

    public init(requests: Int, perSeconds: Int) {
        self.requests = requests
        self.perSeconds = perSeconds
    }

    /// Checks the bounds the API documents; `param` names the offending field.
    public func validated() throws(ValidationError) -> RateLimitPolicy {
        guard Self.requestsRange.contains(requests) else {
            throw ValidationError(param: "rate_limit.requests", message: "must be between \(Self.requestsRange.lowerBound) and \(Self.requestsRange.upperBound)")
        }
        guard Self.secondsRange.contains(perSeconds) else {
            throw ValidationError(param: "rate_limit.per_seconds", message: "must be between \(Self.secondsRange.lowerBound) and \(Self.secondsRange.upperBound)")
        }
        return self
    }
}
