import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SmartMailsCore
import SmartMailsApp
import SmartMailsServer
import SmartMailsStore
import SmartMailsTestSupport
import Testing

/// A real application over a real database, with the first-start admin key, for tests that call the API.
struct TestApp {
    let store: SQLStore
    let workspace: Workspace
    let adminKey: String
    /// The one-time link token the first start made for the owner (`owner@example.com`) to set a password.
    let ownerPasswordToken: String
    /// The server secret this run seals DKIM keys with (made per run, so no test writes a key file).
    let secretKey: String

    static func run(
        on database: TestDatabase, mode: TestingSetup = .router,
        configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (TestApp, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await database.withStore { store in
            let created = try #require(try await Bootstrap.ensureDefaultWorkspace(storage: store, ownerEmail: "owner@example.com"))
            var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
            // bcrypt's cheapest cost: the tests check what passwords do, not how slowly they are hashed.
            configuration.passwordCost = 4
            configuration.secretKey = SecretBox.generateEncodedKey()
            // Each run's files (the outbox, uploads) in a folder of its own, never the checkout's ./data.
            configuration.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("smartmails-test-\(UUID().uuidString)").path
            // A live-mode client keeps one connection; on a machine busy with the whole suite it can sit idle past
            // the default 10 s between two requests and find it closed. The timeout tests set their own.
            configuration.idleTimeout = .seconds(120)
            configure(&configuration)
            let app = try buildApplication(configuration: configuration, store: store, logger: Logger(label: "test"))
            let fixture = TestApp(
                store: store, workspace: created.workspace, adminKey: created.adminKey.token.rawValue,
                ownerPasswordToken: created.ownerPasswordLink.rawValue, secretKey: configuration.secretKey ?? ""
            )
            try await app.test(mode) { client in try await body(fixture, client) }
        }
    }

    /// Creates a key directly (as the operator would), for tests that need a particular one.
    func makeKey(
        scopes: [String], mode: APIKeyMode = .live, allowedIPs: [String] = [], rateLimit: RateLimitPolicy = .default,
        workspaceID: String? = nil, expiresAt: Timestamp? = nil, now: Timestamp = .now
    ) async throws -> KeyService.IssuedKey {
        try await KeyService(store: store).create(
            workspaceID: workspaceID ?? workspace.id, name: "test key", scopes: try ScopeSet.parse(scopes), mode: mode,
            allowedIPs: try IPAllowlist.parse(allowedIPs, param: "allowed_ips"), rateLimit: rateLimit, expiresAt: expiresAt,
            by: .system, now: now
        )
    }
}

extension TestClientProtocol {
    /// Sends a request with a bearer key and an optional JSON body.
    func call(
        _ method: HTTPRequest.Method, _ path: String, key: String?, json: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let key { headers[.authorization] = "Bearer \(key)" }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(string: json)
        }
        return try await execute(uri: path, method: method, headers: headers, body: body)
    }
}

extension TestResponse {
    /// The body as a JSON object; a body that is not one fails the test that reads it.
    var json: [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8))) as? [String: Any] else {
            Issue.record("the body is not a JSON object: \(String(buffer: body).prefix(300))")
            return [:]
        }
        return object
    }

    /// `error.code` of an error response.
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorParam: String? { (json["error"] as? [String: Any])?["param"] as? String }
    var errorMessage: String { (json["error"] as? [String: Any])?["message"] as? String ?? "" }

    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }

    /// Checks the one error shape: every field present, request id echoed in the header.
    func expectError(_ status: HTTPResponse.Status, code: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(self.status == status, "status for \(code)", sourceLocation: sourceLocation)
        let error = json["error"] as? [String: Any] ?? [:]
        #expect(error["code"] as? String == code, "got \(String(buffer: body))", sourceLocation: sourceLocation)
        #expect(error["type"] is String && error["message"] is String, sourceLocation: sourceLocation)
        #expect(error["request_id"] as? String == header("Request-Id"), sourceLocation: sourceLocation)
    }
}
