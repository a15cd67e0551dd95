import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import SmartMailsApp
import SmartMailsCore
@testable import SmartMailsServer
import SmartMailsStore
import SmartMailsTestSupport
import Synchronization
import Testing

/// The operation policy in front of handlers of its own, declared by a small spec: what every operation of the API
/// gets from it, whatever its handler does.
@Suite struct OperationPolicyMiddlewareTests {
    private struct StorageBroke: Error {}

    static let spec = """
        openapi: "3.1.0"
        security: [{ bearerAuth: [] }]
        paths:
          /send:
            post: { operationId: send, x-required-scope: messages:send, x-idempotent: true }
          /broken:
            get: { operationId: broken, x-required-scope: none }
          /small:
            post: { operationId: small, x-required-scope: none, x-max-body-bytes: 10 }
        """

    @Test func aFailingHandlerIsLoggedAndStillAnsweredWithTheRateLimitFields() async throws {
        try await withPolicy { fixture in
            let (response, body) = try await fixture.call("broken", method: .get) { _ in throw StorageBroke() }
            #expect(response.status == .internalServerError)
            #expect(response.headerFields[RateLimitHeaders.remaining] == "59")
            let text = String(decoding: body, as: UTF8.self)
            #expect(text.contains(#""code":"internal_error""#) && text.contains(fixture.scope.requestID))
            let logged = fixture.lines.all.filter { $0.contains("request failed") }
            #expect(logged.count == 1)
            #expect(logged.first?.contains("StorageBroke") == true && logged.first?.contains(fixture.scope.requestID) == true)
        }
    }

    @Test func aGeneratedServersErrorIsLoggedWithoutTheRequestItDescribes() {
        // The generated server wraps a handler's error with the whole request: its Bearer key and decoded body.
        var fields = HTTPFields()
        fields[.authorization] = "Bearer sm_live_secretsecretsecret"
        let wrapped = ServerError(
            operationID: "sendMessageBatch", request: HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/v1/messages/batch", headerFields: fields),
            requestBody: nil, requestMetadata: ServerRequestMetadata(), operationInput: "ana@example.org", causeDescription: "User handler threw an error.",
            underlyingError: StorageBroke()
        )
        let lines = LogLines()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(sink: lines) }
        RequestEnvelopeMiddleware.logIfServerError(.from(wrapped), cause: wrapped, path: "/v1/messages/batch", logger: logger)
        let logged = lines.all.joined()
        #expect(logged.contains("request failed") && logged.contains("StorageBroke") && logged.contains("sendMessageBatch"))
        #expect(!logged.contains("sm_live_") && !logged.contains("ana@example.org"))
    }

    @Test(arguments: TestDatabase.all)
    func retriesReplayTheFirstAnswerAndReuseWithAnotherBodyIsRefused(database: TestDatabase) async throws {
        try await withPolicy(on: database) { fixture in
            let executions = Mutex(0)
            let send = { (body: String, key: String) async throws -> (HTTPResponse, [UInt8]) in
                var fields = HTTPFields()
                fields[IdempotencyLayer.header] = key
                return try await fixture.call("send", body: body, extraFields: fields) { _ in
                    let count = executions.withLock { value -> Int in value += 1; return value }
                    return (HTTPResponse(status: .accepted), HTTPBody(#"{"n":\#(count)}"#))
                }
            }
            let first = try await send(#"{"to":1}"#, "order-1001")
            let retry = try await send(#"{"to":1}"#, "order-1001")
            #expect(first.0.status == .accepted && retry.0.status == .accepted)
            #expect(first.1 == Array(#"{"n":1}"#.utf8) && retry.1 == Array(#"{"n":1}"#.utf8))
            #expect(retry.0.headerFields[IdempotencyLayer.replayedHeader] == "true")
            let other = try await send(#"{"to":2}"#, "order-1001")
            #expect(other.0.status == .unprocessableContent)
            #expect(String(decoding: other.1, as: UTF8.self).contains("idempotency_key_reused"))
            let fresh = try await send(#"{"to":2}"#, "order-1002")
            #expect(fresh.1 == Array(#"{"n":2}"#.utf8))
            #expect(executions.withLock { $0 } == 2)
            let invalid = try await send("{}", String(repeating: "k", count: 256))
            #expect(invalid.0.status == .badRequest && String(decoding: invalid.1, as: UTF8.self).contains("invalid_idempotency_key"))
        }
    }

    @Test func theScopeIsCheckedBeforeTheHandlerRunsAndBodiesOverTheLimitAreRefused() async throws {
        try await withPolicy(scopes: ["read"]) { fixture in
            let ran = Mutex(false)
            let (refused, body) = try await fixture.call("send", body: "{}") { _ in
                ran.withLock { $0 = true }
                return (HTTPResponse(status: .accepted), nil)
            }
            #expect(refused.status == .forbidden && String(decoding: body, as: UTF8.self).contains(#""param":"messages:send""#))
            #expect(ran.withLock { $0 } == false)
            let (tooLarge, _) = try await fixture.call("small", body: String(repeating: "x", count: 11)) { _ in (HTTPResponse(status: .ok), nil) }
            #expect(tooLarge.status == .contentTooLarge)
            let (fits, _) = try await fixture.call("small", body: String(repeating: "x", count: 10)) { _ in (HTTPResponse(status: .ok), nil) }
            #expect(fits.status == .ok)
        }
    }
}

extension OperationPolicyMiddlewareTests {
    struct Fixture {
        let middleware: OperationPolicyMiddleware
        let scope: RequestScope
        let token: String
        let lines: LogLines

        /// Calls `operationID` through the policy with `body` and the fixture's key; `handler` stands in for the
        /// generated handler and gets the body the policy passes on.
        func call(
            _ operationID: String, method: HTTPRequest.Method = .post, body: String? = nil, extraFields: HTTPFields = [:],
            handler: @escaping @Sendable (HTTPBody?) async throws -> (HTTPResponse, HTTPBody?)
        ) async throws -> (HTTPResponse, [UInt8]) {
            var fields = extraFields
            fields[.authorization] = "Bearer \(token)"
            if let body { fields[.contentLength] = String(body.utf8.count) }
            let request = HTTPRequest(method: method, scheme: "http", authority: "localhost", path: "/\(operationID)", headerFields: fields)
            let (response, responseBody) = try await RequestScope.$current.withValue(scope) {
                try await middleware.intercept(request, body: body.map { HTTPBody($0) }, metadata: .init(), operationID: operationID) { _, body, _ in
                    try await handler(body)
                }
            }
            var bytes: [UInt8] = []
            if let responseBody { bytes = try await [UInt8](collecting: responseBody, upTo: 1 << 20) }
            return (response, bytes)
        }
    }

    func withPolicy(on database: TestDatabase = .sqlite, scopes: [String] = ["admin"], _ body: (Fixture) async throws -> Void) async throws {
        try await database.withStore { store in
            let workspace = try await Bootstrap.createWorkspace(storage: store, slug: "w", name: "W", ownerEmail: "w@example.com").workspace
            let issued = try await KeyService(store: store).create(workspaceID: workspace.id, name: "k", scopes: try ScopeSet.parse(scopes), mode: .live, by: .system)
            let lines = LogLines()
            let logger = Logger(label: "test") { _ in CapturingLogHandler(sink: lines) }
            let metrics = ServerMetrics()
            let rateLimiter = LocalRateLimits()
            let middleware = OperationPolicyMiddleware(
                policies: try OperationPolicies(yaml: Self.spec),
                authenticator: Authenticator(
                    verifier: KeyVerifier(store: store, cacheSeconds: 15, rateLimitCells: rateLimiter.localCells),
                    addressResolver: ClientAddressResolver(trustedProxies: IPAllowlist()), metrics: metrics
                ),
                rateLimiter: rateLimiter, idempotency: IdempotencyLayer(store: store),
                usage: UsageRecorder(store: store, logger: logger), metrics: metrics
            )
            var scopedLogger = logger
            scopedLogger[metadataKey: "request_id"] = "req_test"
            let scope = RequestScope(requestID: "req_test", peerAddress: IPAddress("127.0.0.1"), logger: scopedLogger)
            try await body(Fixture(middleware: middleware, scope: scope, token: issued.token.rawValue, lines: lines))
        }
    }
}

/// Every line logged, with its metadata (the logger's own, such as the request id, and the call's).
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }

    func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }
}

private struct CapturingLogHandler: LogHandler {
    let sink: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        sink.append("\(event.message) " + merged.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))
    }
}
