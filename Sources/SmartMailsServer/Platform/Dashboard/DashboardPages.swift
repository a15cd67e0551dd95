import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The dashboard's templates (swift-mustache, HTML-escaping every `{{value}}`) and static assets, loaded from the
/// package's resources at start, and the headers every dashboard answer carries.
struct DashboardPages: Sendable {
    let library: MustacheLibrary
    let assets: [String: (contentType: String, body: ByteBuffer)]

    init() throws {
        guard let root = Bundle.module.resourceURL else { throw DashboardSetupError("the dashboard's resources are missing") }
        var library = MustacheLibrary()
        let templates = root.appendingPathComponent("Templates")
        for file in try FileManager.default.contentsOfDirectory(atPath: templates.path) where file.hasSuffix(".mustache") {
            try library.register(String(contentsOf: templates.appendingPathComponent(file), encoding: .utf8), named: String(file.dropLast(9)))
        }
        self.library = library
        var assets: [String: (String, ByteBuffer)] = [:]
        for (name, type) in [("app.css", "text/css; charset=utf-8"), ("app.js", "text/javascript; charset=utf-8")] {
            let data = try Data(contentsOf: root.appendingPathComponent("Assets").appendingPathComponent(name))
            assets[name] = (type, ByteBuffer(bytes: data))
        }
        self.assets = assets
    }

    /// No inline script or style, nothing from elsewhere, no framing, no referrer (password links carry a secret
    /// in their path), nothing cached.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        .cacheControl: "no-store",
    ]

    func render(_ template: String, _ context: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        guard let html = library.render(context, withTemplate: template) else {
            return Response(status: .internalServerError, headers: Self.securityHeaders, body: .init(byteBuffer: ByteBuffer(string: "template \(template) is missing")))
        }
        var headers = Self.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func message(_ heading: String, _ text: String, status: HTTPResponse.Status, nav: [String: Any]? = nil, back: String? = nil) -> Response {
        var context: [String: Any] = ["heading": heading, "text": text]
        if let nav { context["nav"] = nav }
        if let back { context["back"] = back }
        return render("message", context, status: status)
    }

    func asset(_ name: String) -> Response? {
        guard let asset = assets[name] else { return nil }
        var headers = Self.securityHeaders
        headers[.contentType] = asset.contentType
        headers[.cacheControl] = "public, max-age=3600"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
    }

    /// A JSON answer for the pages' scripts.
    static func json(_ object: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "application/json"
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func redirect(_ location: String) -> Response {
        var response = Response.redirect(to: location, type: .normal)
        response.headers.append(contentsOf: securityHeaders)
        return response
    }
}

struct DashboardSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
