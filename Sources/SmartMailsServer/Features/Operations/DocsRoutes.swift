import Foundation
import HTTPTypes
import Hummingbird
import SmartMailsAPI
import Yams

/// The API's own documentation, outside the spec it serves: the OpenAPI document as JSON and a page that renders it.
struct DocsRoutes: Sendable {
    static let paths = ["/openapi.json", "/docs"]
    let specificationJSON: ByteBuffer

    init() throws {
        let document = try Yams.load(yaml: try APISpecification.yaml())
        let data = try JSONSerialization.data(withJSONObject: document as Any, options: [.sortedKeys, .withoutEscapingSlashes])
        specificationJSON = ByteBuffer(bytes: Array(data))
    }

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
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
}
