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

    func addRoute(to group: RouterGroup<AppRequestContext>) {
        // A hit runs no async call (so no suspension point), copies neither the caller nor the closure's captures (only
        // a miss needs `workspaces`): every reference-count write here lands on objects that all requests of the key
        // share, on both cores.
        group.get("v1/me") { [workspaces] _, context in
            if let cached = context.caller?.verified.meBody.load() {
                return Self.response(cached)
            }
            guard let verified = context.caller?.verified else { throw APIError.internalError() }
            return Self.response(verified.meBody.storeIfNil(try await Self.encodedBody(for: verified.key, workspaces: workspaces)))
        }
    }

    /// Every field the answer ends up with: Content-Type and Content-Length here; the five rate-limit fields and
    /// Request-Id from the middleware; Date and Server from Hummingbird on the way out.
    private static let fieldCount = 10

    private static func response(_ body: EncodedBody) -> Response {
        // Fields of the response's own, with room for all that are added on the way out: a shared constant would be
        // copied at the first addition anyway, after a write to its count, and one slot too few doubles the storage
        // (a second allocation and a copy of every field) when Hummingbird adds the last. Content-Length comes with
        // the body because `Response` would otherwise add it while the fields passed in are still referenced, which
        // copies them.
        var headers = HTTPFields()
        headers.reserveCapacity(fieldCount)
        headers.append(contentsOf: body.headerFields)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body.copy()))
    }

    private static func encodedBody(for key: APIKey, workspaces: WorkspaceDirectory) async throws -> EncodedBody {
        guard let workspace = try await workspaces.workspace(id: key.workspaceID) else { throw APIError.internalError() }
        let me = Components.Schemas.Me(key: .init(key), workspace: .init(id: workspace.id, slug: workspace.slug, name: workspace.name))
        return EncodedBody(ByteBuffer(bytes: try encoder.encode(me)), contentType: "application/json; charset=utf-8")
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
