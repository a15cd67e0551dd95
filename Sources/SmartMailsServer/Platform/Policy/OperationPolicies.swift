import SmartMailsAPI
import SmartMailsCore
import Yams

/// Every operation's policy, read from the spec once at start. Reading fails on an operation without
/// `x-required-scope`, with a scope that does not exist, or with a combination that cannot hold, so such a spec
/// never serves a request.
struct OperationPolicies: Sendable {
    let byOperationID: [String: OperationPolicy]
    /// The methods the spec declares for each of its paths.
    let allowedMethods: AllowedMethods

    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    subscript(operationID: String) -> OperationPolicy? { byOperationID[operationID] }

    static func fromShippedSpecification() throws -> OperationPolicies {
        try OperationPolicies(yaml: try APISpecification.yaml())
    }

    init(yaml: String) throws {
        guard let document = try Yams.load(yaml: yaml) as? [String: Any], let paths = document["paths"] as? [String: Any] else {
            throw OperationPolicyError("the specification has no paths")
        }
        let defaultSecurity = document["security"] as? [Any] ?? []
        var policies: [String: OperationPolicy] = [:]
        var allowed = AllowedMethods()
        for (path, item) in paths {
            guard let item = item as? [String: Any] else { continue }
            allowed.add(path, methods: Self.methods.filter { item[$0] != nil })
            for method in Self.methods {
                guard let operation = item[method] as? [String: Any] else { continue }
                let name = "\(method.uppercased()) \(path)"
                guard let operationID = operation["operationId"] as? String else { throw OperationPolicyError("\(name) has no operationId") }
                guard policies[operationID] == nil else { throw OperationPolicyError("operationId \(operationID) is used twice") }
                policies[operationID] = try Self.policy(of: operation, named: "\(name) (\(operationID))", defaultSecurity: defaultSecurity)
            }
        }
        byOperationID = policies
        allowedMethods = allowed
    }

    private static func policy(of operation: [String: Any], named name: String, defaultSecurity: [Any]) throws -> OperationPolicy {
        guard let scopeName = operation["x-required-scope"] as? String else {
            throw OperationPolicyError("\(name) declares no x-required-scope (a scope, or none)")
        }
        let isPublic = (operation["security"] as? [Any] ?? defaultSecurity).isEmpty
        let scope: Scope?
        if scopeName == "none" {
            scope = nil
        } else if let known = Scope(rawValue: scopeName) {
            scope = known
        } else {
            throw OperationPolicyError("\(name) requires the unknown scope '\(scopeName)'")
        }
        if isPublic, scope != nil { throw OperationPolicyError("\(name) is public (security: []) but requires a scope") }
        var policy = OperationPolicy(access: isPublic ? .public : .key(requiredScope: scope))
        policy.idempotent = operation["x-idempotent"] as? Bool ?? false
        policy.secretResponse = operation["x-secret-response"] as? Bool ?? false
        if policy.idempotent && policy.secretResponse {
            throw OperationPolicyError("\(name) answers with a secret, so it cannot replay its answer to Idempotency-Key retries")
        }
        if policy.idempotent && isPublic {
            throw OperationPolicyError("\(name) is public; Idempotency-Key answers are kept per workspace and need a key")
        }
        if let maximum = operation["x-max-body-bytes"] {
            guard let bytes = maximum as? Int, bytes > 0 else { throw OperationPolicyError("\(name) has an invalid x-max-body-bytes") }
            policy.maximumBodyBytes = bytes
        }
        return policy
    }
}

/// Why the specification's policies cannot be used.
struct OperationPolicyError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
