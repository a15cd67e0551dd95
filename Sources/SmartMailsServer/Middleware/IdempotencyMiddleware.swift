import Crypto
import HTTPTypes
import Hummingbird
import SmartMailsCore
import SmartMailsStore
import Synchronization

/// Makes POSTs that create or send safe to retry: the first answer to an `Idempotency-Key` is stored (per
/// workspace, for 24 hours) and replayed to retries; the same key with another request is a 409.
/// Operations whose answer carries a secret are left out by `appliesTo`, because storing that answer would
/// keep the secret in the database.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let header = HTTPField.Name("Idempotency-Key")!
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!
    static let maximumKeyLength = 255
    static let retentionSeconds: Int64 = 86_400

    let store: any IdempotencyStore
    let appliesTo: @Sendable (Request) -> Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let idempotencyKey = request.headers[Self.header], appliesTo(request),
              let caller = context.caller
        else { return try await next(request, context) }
        guard (1...Self.maximumKeyLength).contains(idempotencyKey.utf8.count), idempotencyKey.allSatisfy({ $0.isASCII && !$0.isNewline }) else {
            throw APIError.badRequest("invalid_idempotency_key", "Idempotency-Key must be 1 to \(Self.maximumKeyLength) ASCII characters.", param: "Idempotency-Key")
        }
        var request = request
        let body = try await request.collectBody(upTo: ServerConfiguration.maximumBodyBytes)
        let fingerprint = Self.fingerprint(method: request.method.rawValue, path: request.uri.path, body: body)
        let claim = try await store.claimIdempotencyKey(workspaceID: caller.workspaceID, key: idempotencyKey, fingerprint: fingerprint, now: .now)
        switch claim {
        case .completed(let status, let storedBody):
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            headers[Self.replayedHeader] = "true"
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: storedBody)))
        case .inProgress:
            throw APIError(status: .conflict, kind: .idempotency, code: "idempotency_key_in_use", message: "A request with this Idempotency-Key is still being processed. Retry in a moment.", param: "Idempotency-Key")
        case .mismatch:
            throw APIError(status: .conflict, kind: .idempotency, code: "idempotency_key_reused", message: "This Idempotency-Key was already used with a different request. Use a new key for a new request.", param: "Idempotency-Key")
        case .claimed:
            break
        }
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            try? await store.releaseIdempotencyKey(workspaceID: caller.workspaceID, key: idempotencyKey)
            throw error
        }
        // Server errors are not remembered: the retry the key exists for should get another chance.
        guard response.status.code < 500 else {
            try? await store.releaseIdempotencyKey(workspaceID: caller.workspaceID, key: idempotencyKey)
            return response
        }
        let collected = try await Self.collect(response.body)
        try await store.completeIdempotencyKey(
            workspaceID: caller.workspaceID, key: idempotencyKey, status: response.status.code, body: String(buffer: collected)
        )
        var replayable = response
        replayable.body = .init(byteBuffer: collected)
        return replayable
    }

    static func fingerprint(method: String, path: String, body: ByteBuffer) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(method.utf8))
        hasher.update(data: [0])
        hasher.update(data: Array(path.utf8))
        hasher.update(data: [0])
        hasher.update(data: body.readableBytesView)
        return Hex.encode(hasher.finalize())
    }

    private static func collect(_ body: ResponseBody) async throws -> ByteBuffer {
        let sink = CollectingWriter.Sink()
        try await body.write(CollectingWriter(sink: sink))
        return sink.buffer.withLock { $0 }
    }
}

/// A response-body writer that keeps what is written, so a response can be stored and then sent.
private struct CollectingWriter: ResponseBodyWriter {
    final class Sink: Sendable {
        let buffer = Mutex(ByteBuffer())
    }

    let sink: Sink

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        sink.buffer.withLock { _ = $0.writeBuffer(&buffer) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
