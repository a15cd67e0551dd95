/// How headers and body are normalised before hashing (`c=header/body`); relaxed survives the rewrapping
/// and whitespace changes relays commonly make, simple is byte-exact.
public struct DKIMCanonicalization: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable {
        case simple
        case relaxed
    }

    public var header: Mode
    public var body: Mode

    public init(header: Mode, body: Mode) {
        self.header = header
        self.body = body
    }

    /// relaxed/relaxed: the usual choice.
    public static let relaxed = Self(header: .relaxed, body: .relaxed)
    /// simple/simple: the RFC default, breaks on any whitespace change.
    public static let simple = Self(header: .simple, body: .simple)

    /// The `c=` tag value.
    public var tagValue: String { "\(header.rawValue)/\(body.rawValue)" }
}
