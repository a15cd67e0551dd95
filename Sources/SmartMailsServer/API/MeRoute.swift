import Foundation
import Hummingbird
import SmartMailsAPI
import SmartMailsCore

/// `GET /v1/me`, the call integrations make to check their key. Its answer depends only on the verified key and its
/// workspace, so it is encoded once per key load and kept with the key (`VerifiedKey.meBody`): a changed key, or one
/// whose cache time passed, is a new `VerifiedKey` and gets a fresh body. The body is the generated `Me` type, so it
/// matches the spec like every other operation.
struct MeRoute: Sendable {
    let workspaces: WorkspaceDirectory

    func addRoute(to group: RouterGroup<AppRequestContext>) {
        // A hit runs no async call (so no suspension point) and copies neither the caller nor the closure's captures
        // (only a miss needs `workspaces`): every reference-count write here lands on objects that requests share.
        group.get("v1/me") { [workspaces] _, context in
            // Both are set by the key middleware, which guards this route.
            guard let verified = context.caller?.verified, let rateLimit = context.caller?.rateLimit else { throw APIError.internalError() }
            let body =
                if let cached = verified.meBody { cached } else {
                    verified.keepMeBody(try await Self.encodedBody(for: verified.key, workspaces: workspaces))
                }
            return Self.response(body, rateLimit: rateLimit, requestID: context.requestID)
        }
    }

    /// The answer with all of its fields but Date and Server (Hummingbird's), from the body's field template in one
    /// step: the middleware finds the rate-limit fields there and adds none. Content-Length comes with the template
    /// because `Response` would otherwise add it by name, after searching the list for it.
    private static func response(_ body: EncodedBody, rateLimit: GCRA.Decision, requestID: String) -> Response {
        Response(status: .ok, headers: body.answerFields.fields(for: rateLimit, requestID: requestID), body: .init(byteBuffer: body.copy()))
    }

    private static func encodedBody(for key: APIKey, workspaces: WorkspaceDirectory) async throws -> EncodedBody {
        guard let workspace = try await workspaces.workspace(id: key.workspaceID) else { throw APIError.internalError() }
        let me = Components.Schemas.Me(key: .init(key), workspace: .init(id: workspace.id, slug: workspace.slug, name: workspace.name))
        return EncodedBody(ByteBuffer(bytes: try encoder.encode(me)), contentType: "application/json; charset=utf-8", rateLimit: key.rateLimit)
    }

    /// Encodes as the generated handlers do: compact, dates as RFC 3339 UTC.
    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(UTCDateTranscoder.rfc3339(date))
        }
        return encoder
    }
}
