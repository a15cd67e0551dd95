import Prometheus
import SmartMailsApp
import SmartMailsCore
import Synchronization

/// The Prometheus series `/metrics` exposes. Each application owns its registry (rather than the global
/// MetricsSystem), so several servers in one test process do not collide.
final class ServerMetrics: Sendable {
    private struct RequestSeries: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private struct RequestHandles: Sendable {
        let count: Counter
        let duration: DurationHistogram
    }

    let registry = PrometheusCollectorRegistry()
    private let rateLimited: Counter
    private static let latencyBuckets: [Duration] = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500].map {
        .microseconds(Int64($0 * 1000))
    }
    /// The registry's handles by labels: asking the registry builds each series' name anew under its one lock. Routes
    /// are templates and statuses few, so this stays small.
    private let requestHandles = Mutex<[RequestSeries: RequestHandles]>([:])

    init() {
        rateLimited = registry.makeCounter(descriptor: Self.descriptor(
            "rate_limited", unit: "total", help: "Requests refused because their key's rate limit was used up."
        ))
    }

    func recordRequest(route: String, method: String, status: Int, nanoseconds: Int64) {
        let series = RequestSeries(route: route, method: method, status: status)
        let handles = requestHandles.withLock { cached in
            if let handles = cached[series] { return handles }
            let made = RequestHandles(
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
            cached[series] = made
            return made
        }
        handles.count.increment()
        handles.duration.recordNanoseconds(nanoseconds)
    }

    func recordAuthFailure(reason: String) {
        registry.makeCounter(
            descriptor: Self.descriptor("auth_failures", unit: "total", help: "Refused API keys by reason."),
            labels: [("reason", reason)]
        ).increment()
    }

    func recordRateLimited() {
        rateLimited.increment()
    }

    func recordDelivery(_ report: DeliveryReport) {
        switch report {
        case .settled(let status):
            registry.makeCounter(
                descriptor: Self.descriptor("delivery_attempts", unit: "total", help: "Delivery attempts by the status they left the message in."),
                labels: [("status", status.rawValue)]
            ).increment()
        case .possibleDuplicate(let reason):
            registry.makeCounter(
                descriptor: Self.descriptor(
                    "delivery_possible_duplicates", unit: "total",
                    help: "Attempts that may deliver a message twice: the connection was lost after the whole message was sent (connection_lost), "
                        + "or a lease ran out with no outcome recorded (lease_expired)."
                ),
                labels: [("reason", reason.rawValue)]
            ).increment()
        }
    }

    func render() -> [UInt8] {
        registry.emitToBuffer()
    }

    private static func descriptor(_ name: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "smartmails", metricName: name, unitName: unit, helpText: help)
    }
}
