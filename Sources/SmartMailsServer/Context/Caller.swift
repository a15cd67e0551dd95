import SmartMailsCore

/// The authenticated key a request acts as, with where it came from.
struct Caller: Sendable {
    let verified: VerifiedKey
    /// Kept as an address and turned into text only where text is needed (audit entries), not on every request.
    let clientAddress: IPAddress?
    /// What the key's rate limit decided for this request, for a route that writes the rate-limit fields into its
    /// answer itself (`RateLimitFieldTemplate`); nil where no limit was applied (tests that inject a caller).
    let rateLimit: GCRA.Decision?

    init(verified: VerifiedKey, clientAddress: IPAddress?, rateLimit: GCRA.Decision? = nil) {
        self.verified = verified
        self.clientAddress = clientAddress
        self.rateLimit = rateLimit
    }

    var key: APIKey { verified.key }
    var workspaceID: String { verified.workspaceID }

    /// The caller of the request being handled. Set by `CallerTaskLocalMiddleware` around the generated OpenAPI
    /// handlers, which receive only their typed input, not the Hummingbird context.
    @TaskLocal static var current: Caller?

    /// The current caller, provided it holds `scope`; otherwise the 403 that names the missing scope.
    static func require(_ scope: Scope) throws(APIError) -> Caller {
        guard let caller = current else {
            throw APIError.unauthorized("missing_api_key", "Send your API key as 'Authorization: Bearer sm_live_…'.", challenge: "Bearer")
        }
        guard caller.key.scopes.contains(scope) else { throw APIError.insufficientScope(scope.rawValue) }
        return caller
    }

    var actor: KeyActor {
        KeyActor(id: key.id, scopes: key.scopes, mode: key.mode, ip: clientAddress?.description)
    }
}
