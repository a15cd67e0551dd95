import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SmartMailsCore
@testable import SmartMailsServer
import SmartMailsStore
import SmartMailsTestSupport
import Synchronization
import Testing

/// The shared idempotency layer, on a small router of its own: the send endpoints that will use it do not exist yet.
@Suite struct IdempotencyMiddlewareTests {
    @Test(arguments: TestDatabase.all)
    func retriesReplayTheFirstAnswerAndReuseWithAnotherBodyConflicts(database: TestDatabase) async throws {
        try await database.withStore { store in
            let workspace = try await Bootstrap.createWorkspace(storage: store, slug: "w", name: "W", ownerEmail: "w@example.com")
            let key = try await KeyService(store: store).create(workspaceID: workspace.id, name: "k", scopes: .all, mode: .live, by: .system).key
            let executions = Mutex(0)
            let router = Router(context: AppRequestContext.self)
            router.add(middleware: RequestEnvelopeMiddleware(metrics: ServerMetrics()))
            router.add(middleware: InjectCaller(caller: Caller(verified: VerifiedKey(key), clientAddress: nil)))
            router.add(middleware: IdempotencyMiddleware(store: store, appliesTo: { _ in true }))
            router.post("send") { _, _ -> Response in
                let count = executions.withLock { value -> Int in value += 1; return value }
                return Response(status: .accepted, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"n":\#(count)}"#)))
            }
            try await Application(router: router).test(.router) { client in
                var headers = HTTPFields()
                headers[IdempotencyMiddleware.header] = "order-1001"
                let first = try await client.execute(uri: "/send", method: .post, headers: headers, body: ByteBuffer(string: "{\"to\":1}"))
                let retry = try await client.execute(uri: "/send", method: .post, headers: headers, body: ByteBuffer(string: "{\"to\":1}"))
                #expect(first.status == .accepted && retry.status == .accepted)
                #expect(String(buffer: first.body) == #"{"n":1}"# && String(buffer: retry.body) == #"{"n":1}"#)
                #expect(retry.headers[IdempotencyMiddleware.replayedHeader] == "true")
                let other = try await client.execute(uri: "/send", method: .post, headers: headers, body: ByteBuffer(string: "{\"to\":2}"))
                #expect(other.status == .conflict)
                #expect(String(buffer: other.body).contains("idempotency_key_reused"))
                headers[IdempotencyMiddleware.header] = "order-1002"
                let fresh = try await client.execute(uri: "/send", method: .post, headers: headers, body: ByteBuffer(string: "{\"to\":2}"))
                #expect(String(buffer: fresh.body) == #"{"n":2}"#)
            }
            #expect(executions.withLock { $0 } == 2)
        }
    }
}

/// Stands in for the auth middleware, which the idempotency layer runs behind.
private struct InjectCaller: RouterMiddleware {
    typealias Context = AppRequestContext
    let caller: Caller

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.caller = caller
        return try await next(request, context)
    }
}
