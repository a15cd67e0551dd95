import SmartMailsCore

/// What an operation of the API demands and promises, as `openapi.yaml` declares it for each `operationId`:
/// - `security: []` makes it public; otherwise it needs a key,
/// - `x-required-scope`: the scope the key must hold, or `none` (any valid key),
/// - `x-idempotent: true`: a retry with the same `Idempotency-Key` gets the first answer,
/// - `x-secret-response: true`: the answer carries a secret, so it is never stored (nor idempotent),
/// - `x-max-body-bytes`: a larger request body than the default,
/// - `x-streamed-body: true`: the body reaches the handler as it arrives (an upload), not read whole first,
/// - a request body schema with no nullable field (`type: [..., "null"]`) anywhere: a `null` in the body is a 400.
struct OperationPolicy: Sendable, Equatable {
    enum Access: Sendable, Equatable {
        case `public`
        /// Any valid key, or one holding the scope.
        case key(requiredScope: Scope?)
    }

    var access: Access
    var idempotent = false
    var secretResponse = false
    var maximumBodyBytes = ServerConfiguration.maximumBodyBytes
    var acceptsNull = false
    var streamedBody = false
    /// Top-level body members marked `x-parsed-by`: the server parses them (and their nulls) itself.
    var parsedMembers: Set<String> = []
    /// Query parameters with a length or pattern the generated decoders do not check.
    var queryLimits: [QueryLimit] = []
}

/// What the spec allows for one query parameter's text.
struct QueryLimit: Sendable, Equatable {
    var name: String
    var maximumLength: Int? = nil
    var minimumLength: Int? = nil
    var pattern: String? = nil
}
