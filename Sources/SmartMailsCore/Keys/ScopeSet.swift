/// A set of scopes as a bit mask: checking a scope on every request is one AND.
public struct ScopeSet: Sendable, Hashable {
    public private(set) var bits: UInt32

    public init() { bits = 0 }

    public init(_ scopes: some Sequence<Scope>) {
        bits = 0
        for scope in scopes {
            bits |= scope.bit
            for implied in scope.implied { bits |= implied.bit }
        }
    }

    public static let all = ScopeSet(Scope.allCases)

    public func contains(_ scope: Scope) -> Bool { bits & scope.bit != 0 }

    public func isSubset(of other: ScopeSet) -> Bool { bits & ~other.bits == 0 }

    /// The scopes in a stable order, for responses and storage.
    public var scopes: [Scope] { Scope.allCases.filter(contains) }

    /// Parses scope names and presets (`read`, `write`, `admin`), reporting the first unknown name.
    public static func parse(_ names: some Sequence<String>) throws(ScopeParseError) -> ScopeSet {
        var set = ScopeSet()
        var sawAny = false
        for name in names {
            sawAny = true
            if let preset = ScopePreset(rawValue: name) {
                set.bits |= preset.scopes.bits
            } else if let scope = Scope(rawValue: name) {
                set.bits |= ScopeSet([scope]).bits
            } else {
                throw .unknown(name)
            }
        }
        guard sawAny else { throw .empty }
        return set
    }
}

/// Why a list of scope names was refused.
public enum ScopeParseError: Error, Equatable, Sendable {
    case unknown(String)
    case empty
}
