import Foundation
import Hummingbird
import SmartMailsAPI
import SmartMailsCore
import Synchronization

/// `GET /v1/me`, the call integrations make to check their key. Its answer depends only on the verified key and its
/// workspace, so the encoded body is kept per key and rebuilt only when the verifier hands out a changed key;
/// the body is the generated `Me` type, so it matches the spec like every other operation.
struct MeRoute: Sendable {
    private final class Cache: Sendable {
        let entries = Mutex<[String: (key: APIKey, body: ByteBuffer)]>([:])
    }

    let workspaces: WorkspaceDirectory
    private let cache = Cache()
    private static let maximumEntries = 10_000

    init(workspaces: WorkspaceDirectory) {
        self.workspaces = workspaces
    }

    func addRoute(to group: RouterGroup<AppRequestContext>) {
        group.get("v1/me") { _, context in
            guard let caller = context.caller else { throw APIError.internalError() }
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: try await body(for: caller.key)))
        }
    }

    private func body(for key: APIKey) async throws -> ByteBuffer {
        if let cached = cache.entries.withLock({ $0[key.id] }), cached.key == key {
            return cached.body
        }
        guard let workspace = try await workspaces.workspace(id: key.workspaceID) else { throw APIError.internalError() }
        let me = Components.Schemas.Me(key: .init(key), workspace: .init(id: workspace.id, slug: workspace.slug, name: workspace.name))
        let body = ByteBuffer(bytes: try Self.encoder.encode(me))
        cache.entries.withLock { entries in
            if entries.count >= Self.maximumEntries { entries.removeAll() }
            entries[key.id] = (key, body)
        }
        return body
    }

    /// Encodes as the generated handlers do: compact, dates as RFC 3339 UTC.
    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(try UTCDateTranscoder().encode(date))
        }
        return encoder
    }
}
