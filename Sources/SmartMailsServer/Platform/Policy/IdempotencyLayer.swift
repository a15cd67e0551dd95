import Crypto
import HTTPTypes
import OpenAPIRuntime
import SmartMailsApp
import SmartMailsCore
import SmartMailsStore

/// Makes the operations that declare `x-idempotent` safe to retry: the first answer to an `Idempotency-Key` is stored
/// (per workspace, for `MaintenanceService.idempotencyRetentionSeconds`) and replayed to retries; the same key with
/// another request is a 422, and while the first attempt still runs a 409.
struct IdempotencyLayer: Sendable {
    static let header = HTTPField.Name("Idempotency-Key")!
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!
    static let maximumKeyLength = 255

    let store: any IdempotencyStore

    /// Answers the request through `next` once, and from storage for every retry with the same key and request.
    func handle(
        _ request: HTTPRequest, body: [UInt8]?, workspaceID: String,
        next: ([UInt8]?) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let idempotencyKey = request.headerFields[Self.header] else { return try await next(body) }
        guard (1...Self.maximumKeyLength).contains(idempotencyKey.utf8.count), idempotencyKey.utf8.allSatisfy({ (0x20..<0x7F).contains($0) }) else {
            throw APIError.badRequest("invalid_idempotency_key", "Idempotency-Key must be 1 to \(Self.maximumKeyLength) printable ASCII characters.", param: "Idempotency-Key")
        }
        let fingerprint = Self.fingerprint(method: request.method.rawValue, path: request.path ?? "", body: body ?? [])
        switch try await store.claimIdempotencyKey(workspaceID: workspaceID, key: idempotencyKey, fingerprint: fingerprint, now: .now) {
        case .completed(let status, let storedBody):
            var fields = HTTPFields()
            fields[.contentType] = "application/json; charset=utf-8"
            fields[Self.replayedHeader] = "true"
            return (HTTPResponse(status: .init(code: status), headerFields: fields), HTTPBody(storedBody))
        case .inProgress:
            throw APIError(status: .conflict, kind: .idempotency, code: "idempotency_key_in_use", message: "A request with this Idempotency-Key is still being processed. Retry in a moment.", param: "Idempotency-Key")
        case .mismatch:
            throw APIError(status: .unprocessableContent, kind: .idempotency, code: "idempotency_key_reused", message: "This Idempotency-Key was already used with a different request. Use a new key for a new request.", param: "Idempotency-Key")
        case .claimed:
            break
        }
        let (response, responseBody): (HTTPResponse, HTTPBody?)
        do {
            (response, responseBody) = try await next(body)
        } catch {
            try? await store.releaseIdempotencyKey(workspaceID: workspaceID, key: idempotencyKey)
            throw error
        }
        // Server errors are not remembered: the retry the key exists for should get another chance.
        guard response.status.code < 500 else {
            try? await store.releaseIdempotencyKey(workspaceID: workspaceID, key: idempotencyKey)
            return (response, responseBody)
        }
        var bytes: [UInt8] = []
        if let responseBody { bytes = try await [UInt8](collecting: responseBody, upTo: 16 << 20) }
        try await store.completeIdempotencyKey(
            workspaceID: workspaceID, key: idempotencyKey, status: response.status.code, body: String(decoding: bytes, as: UTF8.self)
        )
        return (response, HTTPBody(bytes))
    }

    static func fingerprint(method: String, path: String, body: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(method.utf8))
        hasher.update(data: [0])
        hasher.update(data: Array(path.utf8))
        hasher.update(data: [0])
        hasher.update(data: body)
        return Hex.encode(hasher.finalize())
    }
}
