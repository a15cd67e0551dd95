import SmartMailsCore

/// Who is changing keys: an API key (with its scopes and mode) or the operator through the CLI (`system`).
public struct KeyActor: Sendable {
    public var id: String
    public var scopes: ScopeSet
    /// nil for the operator, who may create keys of either mode.
    public var mode: APIKeyMode?
    public var ip: String?
    /// A key's own sending limits, which bound those of the keys it creates or changes; none for people and the operator.
    public var sendingLimits: SendingLimits

    public init(id: String, scopes: ScopeSet, mode: APIKeyMode?, ip: String?, sendingLimits: SendingLimits = .none) {
        self.id = id
        self.scopes = scopes
        self.mode = mode
        self.ip = ip
        self.sendingLimits = sendingLimits
    }

    /// The operator at the command line or the server bootstrapping itself.
    public static let system = KeyActor(id: "system", scopes: .all, mode: nil, ip: nil)
}
