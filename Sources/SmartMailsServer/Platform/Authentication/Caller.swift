import SmartMailsApp
import SmartMailsCore

/// The authenticated key a request acts as, with where it came from.
struct Caller: Sendable {
    let verified: VerifiedKey
    /// Kept as an address and turned into text only where text is needed (audit entries).
    let clientAddress: IPAddress?

    var key: APIKey { verified.key }
    var workspaceID: String { verified.workspaceID }

    /// Set by `OperationPolicyMiddleware` around the generated handlers, which receive only their typed input.
    @TaskLocal static var current: Caller?

    /// The caller of an operation that requires a key. The policy has checked the key and its scope before the
    /// handler runs; reaching here without a caller means an operation was declared public but reads one.
    static func authenticated() throws(APIError) -> Caller {
        guard let current else { throw APIError.internalError() }
        return current
    }

    var actor: KeyActor {
        KeyActor(id: key.id, scopes: key.scopes, mode: key.mode, ip: clientAddress?.description, sendingLimits: key.sendingLimits)
    }
}
