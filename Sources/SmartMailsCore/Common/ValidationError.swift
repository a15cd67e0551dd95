/// Input that is well-formed but not acceptable; `param` names the field as the API spells it.
public struct ValidationError: Error, Equatable, Sendable {
    public var param: String
    public var message: String
    /// The API's error code: `validation_failed` unless a more telling one applies (`template_too_large`, …).
    public var code: String

    public init(param: String, message: String, code: String = "validation_failed") {
        self.param = param
        self.message = message
        self.code = code
    }
}
