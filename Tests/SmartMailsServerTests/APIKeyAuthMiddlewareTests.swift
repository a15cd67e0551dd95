import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SmartMailsCore
@testable import SmartMailsServer
import SmartMailsStore
import SmartMailsTestSupport
import Synchronization
import Testing

/// The key layer on a small router of its own, with a route that fails the way a broken handler does.
@Suite struct APIKeyAuthMiddlewareTests {
    private struct StorageBroke: Error {}

    @Test(arguments: [
        ("Bearer sm_live_abc", "sm_live_abc"),
        ("bearer sm_live_abc", "sm_live_abc"),
        ("BEARER \t sm_live_abc \t ", "sm_live_abc"),
        ("Bearer é sm", "é sm"),
        ("Bearer ", ""),
    ])
    func theTokenIsWhatFollowsTheBearerScheme(header: String, token: String) {
        #expect(APIKeyAuthMiddleware.credentials(afterBearerIn: header) == token[...])
    }

    @Test(arguments: ["Basic c2VjcmV0", "Bearer", "Bearersm_live_abc", "Token sm_live_abc", "Bearer\tsm_live_abc"])
    func otherSchemesAreNotBearerTokens(header: String) {
        #expect(APIKeyAuthMiddleware.credentials(afterBearerIn: header) == nil)
    }

    @Test func aFailingHandlerIsLoggedAndStillAnsweredWithTheRateLimitFields() async throws {
        try await TestDatabase.sqlite.withStore { store in
            let workspace = try await Bootstrap.createWorkspace(storage: store, slug: "w", name: "W", ownerEmail: "w@example.com")
            let issued = try await KeyService(store: store).create(workspaceID: workspace.id, name: "k", scopes: .all, mode: .live, by: .system)
            let lines = LogLines()
            let logger = Logger(label: "test") { _ in CapturingLogHandler(sink: lines) }
            let metrics = ServerMetrics()
            let router = Router(context: AppRequestContext.self)
            router.group().add(middleware: APIKeyAuthMiddleware(
                envelope: RequestEnvelopeMiddleware(metrics: metrics), verifier: KeyVerifier(store: store, cacheSeconds: 15),
                rateLimiter: LocalRateLimits(), addressResolver: ClientAddressResolver(trustedProxies: IPAllowlist()),
                usage: UsageRecorder(store: store, logger: logger), metrics: metrics
            )).get("v1/broken") { _, _ -> Response in throw StorageBroke() }

            try await Application(router: router, logger: logger).test(.router) { client in
                var headers = HTTPFields()
                headers[.authorization] = "Bearer \(issued.token.rawValue)"
                let response = try await client.execute(uri: "/v1/broken", method: .get, headers: headers)
                #expect(response.status == .internalServerError)
                #expect(response.headers[RateLimitHeaders.remaining] == "59")
                let requestID = try #require(response.headers[RequestEnvelopeMiddleware.requestIDHeader])
                #expect(String(buffer: response.body).contains(requestID))
                let logged = lines.all.filter { $0.contains("request failed") }
                #expect(logged.count == 1)
                #expect(logged.first?.contains("StorageBroke") == true && logged.first?.contains(requestID) == true)
            }
        }
    }
}

/// Every line logged, with its metadata (the logger's own, such as the request id, and the call's).
private final class LogLines: Sendable {
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
