import HTTPTypes
import SmartMailsApp
import SmartMailsCore

/// Finds the bearer key of a request and verifies it: refuses keys sent in the URL, several or non-Bearer
/// `Authorization` fields, and whatever the verifier refuses, counting each refusal by reason.
struct Authenticator: Sendable {
    let verifier: KeyVerifier
    let addressResolver: ClientAddressResolver
    let metrics: ServerMetrics

    private static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    private static let queryKeyNames: Set<String> = ["api_key", "apikey", "key", "access_token", "token"]

    /// The verified key and the client's address.
    func authenticate(_ request: HTTPRequest, peer: IPAddress?) async throws(APIError) -> (VerifiedKey, IPAddress?) {
        do throws(APIError) {
            if Self.carriesKeyInQuery(request.path ?? "") {
                throw APIError.badRequest(
                    "api_key_in_query",
                    "API keys are accepted only in the Authorization header, never in the URL, where they end up in logs. Revoke a key that was sent this way."
                )
            }
            let token = try Self.bearerToken(request.headerFields)
            let clientAddress = addressResolver.clientAddress(peer: peer, forwardedFor: request.headerFields[Self.forwardedFor])
            do {
                return (try await verifier.verify(token: token, clientIP: clientAddress), clientAddress)
            } catch {
                throw error.apiError
            }
        } catch {
            metrics.recordAuthFailure(reason: error.code)
            throw error
        }
    }

    private static func bearerToken(_ fields: HTTPFields) throws(APIError) -> Substring {
        let values = fields[values: .authorization]
        // Several are refused rather than one picked: a proxy in front may have read another one.
        guard values.count <= 1 else {
            throw APIError.unauthorized("malformed_api_key", "Send one Authorization header; this request has several.")
        }
        guard let header = values.first, !header.isEmpty else {
            throw APIError.unauthorized(
                "missing_api_key", "No API key was sent. Send it as 'Authorization: Bearer sm_live_…'.", challenge: #"Bearer realm="SmartMails""#
            )
        }
        guard let token = credentials(afterBearerIn: header) else {
            throw APIError.unauthorized("malformed_api_key", "Use the Bearer scheme: 'Authorization: Bearer sm_live_…'.")
        }
        return token
    }

    /// What follows `Bearer ` (the scheme case-insensitive, RFC 9110), without surrounding spaces and tabs; nil for
    /// another scheme.
    static func credentials(afterBearerIn header: String) -> Substring? {
        guard header.count >= 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return header.dropFirst(7).trimmingSpacesAndTabs
    }

    private static func carriesKeyInQuery(_ path: String) -> Bool {
        guard let queryStart = path.firstIndex(of: "?") else { return false }
        for pair in path[path.index(after: queryStart)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let name = parts.first.map { $0.lowercased() } ?? ""
            let value = parts.count == 2 ? parts[1] : ""
            if queryKeyNames.contains(name) || value.hasPrefix("sm_live_") || value.hasPrefix("sm_test_") {
                return true
            }
        }
        return false
    }
}
