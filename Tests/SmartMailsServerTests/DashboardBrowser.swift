import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A browser as far as the dashboard's server side can tell: it keeps the session cookie, sends forms, and reads
/// the CSRF token and other values off the pages it gets.
final class DashboardBrowser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookie: String?
    /// Sent as `Origin` with every request when set, as a browser does for a page of that origin.
    var origin: String?
    /// Sent with every request, as a proxy in front of the server would add them.
    var extraHeaders = HTTPFields()
    /// The session cookie's `Set-Cookie` of the last answer that set one.
    var lastSetCookie: String?

    init(_ client: any TestClientProtocol) {
        self.client = client
    }

    struct Page {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let html: String

        var location: String? { headers[.location] }
        var csrf: String? { first(#"name="csrf" value="([^"]+)""#) }

        /// The first capture of `pattern` in the page.
        func first(_ pattern: String) -> String? {
            guard let expression = try? NSRegularExpression(pattern: pattern),
                  let match = expression.firstMatch(in: html, range: NSRange(html.startIndex..., in: html)),
                  let range = Range(match.range(at: 1), in: html)
            else { return nil }
            return String(html[range])
        }
    }

    func get(_ path: String) async throws -> Page {
        try await send(.get, path, body: nil)
    }

    func post(_ path: String, _ fields: [(String, String)]) async throws -> Page {
        var components = URLComponents()
        components.queryItems = fields.map { URLQueryItem(name: $0.0, value: $0.1) }
        // Forms encode `+` and spaces their own way; percent-encoding every reserved character is also valid.
        let body = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        return try await send(.post, path, body: body)
    }

    private func send(_ method: HTTPRequest.Method, _ path: String, body: String?) async throws -> Page {
        var headers = HTTPFields()
        if let cookie { headers[.cookie] = cookie }
        if let origin { headers[.origin] = origin }
        headers.append(contentsOf: extraHeaders)
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        lastSetCookie = response.headers[values: .setCookie].first { $0.hasPrefix("sm_session=") }
        for field in response.headers[values: .setCookie] {
            let pair = field.split(separator: ";").first.map(String.init) ?? ""
            if pair.hasPrefix("sm_session=") { cookie = pair == "sm_session=" ? nil : pair }
        }
        return Page(status: response.status, headers: response.headers, html: String(buffer: response.body))
    }

    /// Sets a password with a one-time link and lands signed in.
    func setPassword(token: String, password: String = "correct horse battery") async throws {
        let page = try await post("/login/password/\(token)", [("password", password), ("confirm", password)])
        #expect(page.status == .seeOther && page.location == "/app", "\(page.html.prefix(300))")
    }
}
