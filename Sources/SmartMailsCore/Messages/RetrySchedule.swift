/// When a deferred message is tried again (RFC 5321 §4.5.4.1): a few quick retries, then at least `interval` apart,
/// with jitter so that a relay's outage does not bring every deferred message back at the same instant; given up
/// once the first attempt is older than `maximumAge`.
public struct RetrySchedule: Sendable, Equatable {
    /// Waits after the first failures, in milliseconds.
    public var quickRetries: [Int64]
    /// The wait after those.
    public var interval: Int64
    public var maximumAge: Int64
    /// Each wait is stretched by up to this share, at random.
    public var jitter: Double

    public init(quickRetries: [Int64] = [60_000, 300_000, 900_000], interval: Int64 = 1_800_000, maximumAge: Int64 = 4 * 86_400_000, jitter: Double = 0.2) {
        self.quickRetries = quickRetries
        self.interval = interval
        self.maximumAge = maximumAge
        self.jitter = jitter
    }

    /// When attempt `attempts + 1` is due after attempt number `attempts` failed; nil means give up.
    public func nextAttempt(after attempts: Int, firstAttemptAt: Timestamp, now: Timestamp, random: Double = Double.random(in: 0..<1)) -> Timestamp? {
        let base = attempts - 1 < quickRetries.count ? quickRetries[max(0, attempts - 1)] : interval
        let wait = base + Int64(Double(base) * jitter * random)
        let next = now.adding(milliseconds: wait)
        guard next.millisecondsSinceEpoch - firstAttemptAt.millisecondsSinceEpoch <= maximumAge else { return nil }
        return next
    }
}
