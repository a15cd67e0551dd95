import Prometheus
import Synchronization

/// The Prometheus series `/metrics` exposes. Each application owns its registry (rather than the global
/// MetricsSystem), so several servers in one test process do not collide.
///
/// Series with labels are found through a per-thread cache of the registry's handles. Asking the registry builds the
/// label list and the series' full name and searches for it under the registry's one lock, which the threads serving
/// requests then take in turns: that cost about 3 µs per request, more than verifying the key. The registry still
/// owns every series; a cache only remembers which object is which.
final class ServerMetrics: Sendable {
    private struct RequestSeries: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private struct RequestHandles {
        let count: Counter
        let duration: DurationHistogram
    }

    let registry = PrometheusCollectorRegistry()
    private let rateLimited: Counter
    private static let latencyBuckets: [Duration] = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500].map {
        .microseconds(Int64($0 * 1000))
    }
    private static let shardBits = 3
    /// Routes are templates (`/v1/api-keys/{id}`) or "unmatched", the HTTP parser admits only known methods, and
    /// failure reasons are the API's error codes, so the series are few; the bound only keeps a cache from growing if
    /// that ever changes (the registry is then asked each time).
    private static let maximumCachedSeries = 512
    private let requestHandles = LockedShard<[RequestSeries: RequestHandles]>.perThread(bits: ServerMetrics.shardBits) { [:] }
    private let authFailureCounters = LockedShard<[String: Counter]>.perThread(bits: ServerMetrics.shardBits) { [:] }

    init() {
        rateLimited = registry.makeCounter(descriptor: Self.descriptor(
            "rate_limited", unit: "total", help: "Requests refused because their key's rate limit was used up."
        ))
    }

    func recordRequest(route: String, method: String, status: Int, nanoseconds: Int64) {
        let handles = Self.handle(for: RequestSeries(route: route, method: method, status: status), in: requestHandles) {
            RequestHandles(
                count: registry.makeCounter(
                    descriptor: Self.descriptor("http_requests", unit: "total", help: "HTTP requests by route, method and status."),
                    labels: [("route", route), ("method", method), ("status", String(status))]
                ),
                duration: registry.makeDurationHistogram(
                    descriptor: Self.descriptor("http_request_duration", unit: "seconds", help: "Time to answer HTTP requests."),
                    labels: [("route", route), ("method", method)],
                    buckets: Self.latencyBuckets
                )
            )
        }
        handles.count.increment()
        handles.duration.recordNanoseconds(nanoseconds)
    }

    func recordAuthFailure(reason: String) {
        Self.handle(for: reason, in: authFailureCounters) {
            registry.makeCounter(
                descriptor: Self.descriptor("auth_failures", unit: "total", help: "Refused API keys by reason."),
                labels: [("reason", reason)]
            )
        }.increment()
    }

    func recordRateLimited() {
        rateLimited.increment()
    }

    func render() -> [UInt8] {
        registry.emitToBuffer()
    }

    /// The calling thread's cached handle for `labels`, made by `make` (which asks the registry) on a miss.
    private static func handle<Labels: Hashable & Sendable, Handle: Sendable>(
        for labels: Labels, in shards: [LockedShard<[Labels: Handle]>], orMake make: () -> Handle
    ) -> Handle {
        let shard = shards[ThreadShards.index(bits: shardBits)]
        if let cached = shard.state.withLock({ $0[labels] }) { return cached }
        let made = make()
        shard.state.withLock { cached in
            if cached.count < maximumCachedSeries { cached[labels] = made }
        }
        return made
    }

    private static func descriptor(_ name: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "smartmails", metricName: name, unitName: unit, helpText: help)
    }
}
