/// Input that is well-formed but not acceptable; `param` names the field as the API spells it.
public struct ValidationError: Error, Equatable, Sendable {
    public var param: String
    public var message: String

    public init(param: String, message: String) {
        self.param = param
        self.message = message
    }
}
