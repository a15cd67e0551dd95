import Foundation
import Hummingbird
import SmartMailsAPI
import SmartMailsCore
import Synchronization

/// `GET /v1/me`, the call integrations make to check their key. Its answer depends only on the verified key and its
/// workspace, so it is encoded once per key load and kept with the key (`VerifiedKey.meBody`): a changed key, or one
/// whose cache time passed, is a new `VerifiedKey` and gets a fresh body. The body is the generated `Me` type, so it
/// matches the spec like every other operation.
struct MeRoute: Sendable {
    let workspaces: WorkspaceDirectory
    private static let headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]

    func addRoute(to group: RouterGroup<AppRequestContext>) {
        group.get("v1/me") { _, context in
            guard let caller = context.caller else { throw APIError.internalError() }
            // The cached body is read here, outside any async call, so that a hit costs no suspension point.
            let body: EncodedBody
            if let cached = caller.verified.meBody.load() {
                body = cached
            } else {
                body = caller.verified.meBody.storeIfNil(try await encodedBody(for: caller.key))
            }
            return Response(status: .ok, headers: Self.headers, body: .init(byteBuffer: body.bytes))
        }
    }

    private func encodedBody(for key: APIKey) async throws -> EncodedBody {
        guard let workspace = try await workspaces.workspace(id: key.workspaceID) else { throw APIError.internalError() }
        let me = Components.Schemas.Me(key: .init(key), workspace: .init(id: workspace.id, slug: workspace.slug, name: workspace.name))
        return EncodedBody(ByteBuffer(bytes: try Self.encoder.encode(me)))
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
