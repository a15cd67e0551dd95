import Foundation
import HTTPTypes
import Hummingbird
import SmartMailsAPI
import SmartMailsStore
import Yams

/// Routes outside the versioned API and without a key: liveness, readiness, metrics, and the API's own
/// documentation (the OpenAPI document as JSON and a page that renders it).
struct OperationsRoutes: Sendable {
    let store: SQLStore
    let metrics: ServerMetrics
    let specificationJSON: ByteBuffer

    init(store: SQLStore, metrics: ServerMetrics) throws {
        self.store = store
        self.metrics = metrics
        let document = try Yams.load(yaml: try APISpecification.yaml())
        let data = try JSONSerialization.data(withJSONObject: document as Any, options: [.sortedKeys])
        specificationJSON = ByteBuffer(bytes: Array(data))
    }

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.get("healthz") { _, _ in
            Self.json(#"{"status":"ok"}"#, status: .ok)
        }
        router.get("readyz") { _, _ in
            await store.ping()
                ? Self.json(#"{"status":"ok","database":"ok"}"#, status: .ok)
                : Self.json(#"{"status":"unavailable","database":"unreachable"}"#, status: .serviceUnavailable)
        }
        router.get("metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
        router.get("openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: specificationJSON))
        }
        router.get("docs") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.contentSecurityPolicy] = "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline'"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: DocsPage.html)))
        }
    }

    private static func json(_ text: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
