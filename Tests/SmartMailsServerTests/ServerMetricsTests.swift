@testable import SmartMailsServer
import Testing

/// Metrics are counted through a cache of the registry's series: whatever thread records, every request must land
/// in the one series `/metrics` shows, and no series may appear twice.
@Suite struct ServerMetricsTests {
    @Test func requestsRecordedFromManyThreadsAddUpInOneSeries() async {
        let metrics = ServerMetrics()
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                group.addTask {
                    for request in 0..<250 {
                        // Statuses alternate so that each thread's cache holds several series of one route.
                        let status = (task + request) % 2 == 0 ? 200 : 404
                        metrics.recordRequest(route: "/v1/me", method: "GET", status: status, nanoseconds: 1_000_000)
                    }
                    metrics.recordAuthFailure(reason: "invalid_api_key")
                }
            }
        }
        let text = String(decoding: metrics.render(), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.filter { $0 == #"smartmails_http_requests_total{route="/v1/me",method="GET",status="200"} 2000"# }.count == 1)
        #expect(lines.filter { $0 == #"smartmails_http_requests_total{route="/v1/me",method="GET",status="404"} 2000"# }.count == 1)
        #expect(lines.filter { $0.hasPrefix("smartmails_http_requests_total{") }.count == 2)
        #expect(lines.filter { $0 == #"smartmails_http_request_duration_seconds_count{route="/v1/me",method="GET"} 4000"# }.count == 1)
        // 1 ms falls in the 1 ms bucket (upper bounds are inclusive) and every one above it.
        #expect(lines.contains(#"smartmails_http_request_duration_seconds_bucket{route="/v1/me",method="GET",le="0.001"} 4000"#))
        #expect(lines.contains(#"smartmails_http_request_duration_seconds_bucket{route="/v1/me",method="GET",le="0.0005"} 0"#))
        #expect(lines.filter { $0 == #"smartmails_auth_failures_total{reason="invalid_api_key"} 16"# }.count == 1)
    }

    @Test func eachRouteMethodAndStatusIsItsOwnSeries() {
        let metrics = ServerMetrics()
        metrics.recordRequest(route: "/v1/me", method: "GET", status: 200, nanoseconds: 1)
        metrics.recordRequest(route: "/v1/api-keys", method: "GET", status: 200, nanoseconds: 1)
        metrics.recordRequest(route: "/v1/api-keys", method: "POST", status: 201, nanoseconds: 1)
        metrics.recordRequest(route: "/v1/api-keys", method: "POST", status: 201, nanoseconds: 1)
        let lines = String(decoding: metrics.render(), as: UTF8.self).split(separator: "\n")
        #expect(lines.contains(#"smartmails_http_requests_total{route="/v1/me",method="GET",status="200"} 1"#))
        #expect(lines.contains(#"smartmails_http_requests_total{route="/v1/api-keys",method="GET",status="200"} 1"#))
        #expect(lines.contains(#"smartmails_http_requests_total{route="/v1/api-keys",method="POST",status="201"} 2"#))
        #expect(lines.contains(#"smartmails_http_request_duration_seconds_count{route="/v1/api-keys",method="POST"} 2"#))
    }
}
