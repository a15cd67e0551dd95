/// A key's requests over a period, in total and per minute, each by status class (2 for 2xx … 5 for 5xx).
public struct KeyUsageReport: Sendable, Equatable {
    public struct Minute: Sendable, Equatable {
        public var minute: Timestamp
        public var byStatusClass: [Int: Int]
        public var total: Int { byStatusClass.values.reduce(0, +) }
    }

    public var keyID: String
    public var since: Timestamp
    public var until: Timestamp
    public var byStatusClass: [Int: Int]
    /// Minutes with at least one request, oldest first.
    public var minutes: [Minute]
    public var total: Int { byStatusClass.values.reduce(0, +) }

    public init(keyID: String, since: Timestamp, until: Timestamp, samples: [UsageSample]) {
        var perMinute: [Timestamp: [Int: Int]] = [:]
        var totals: [Int: Int] = [:]
        for sample in samples {
            perMinute[sample.minute, default: [:]][sample.statusClass, default: 0] += sample.count
            totals[sample.statusClass, default: 0] += sample.count
        }
        self.keyID = keyID
        self.since = since
        self.until = until
        byStatusClass = totals
        minutes = perMinute.keys.sorted().map { Minute(minute: $0, byStatusClass: perMinute[$0] ?? [:]) }
    }
}
