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
                var policy = try Self.policy(of: operation, named: "\(name) (\(operationID))", defaultSecurity: defaultSecurity)
                policy.acceptsNull = Self.requestBodyAcceptsNull(operation, in: document)
                policy.parsedMembers = Self.parsedMembers(operation, in: document)
                policy.queryLimits = Self.queryLimits((item["parameters"] as? [Any] ?? []) + (operation["parameters"] as? [Any] ?? []), in: document)
                policies[operationID] = policy
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
        policy.streamedBody = operation["x-streamed-body"] as? Bool ?? false
        if policy.streamedBody && policy.idempotent {
            throw OperationPolicyError("\(name) streams its body, so it cannot keep one to compare Idempotency-Key retries with")
        }
        if let maximum = operation["x-max-body-bytes"] {
            guard let bytes = maximum as? Int, bytes > 0 else { throw OperationPolicyError("\(name) has an invalid x-max-body-bytes") }
            policy.maximumBodyBytes = bytes
        }
        return policy
    }
}

extension OperationPolicies {
    static func resolve(_ value: Any?, in document: [String: Any]) -> [String: Any]? {
        guard let object = value as? [String: Any] else { return nil }
        guard let reference = object["$ref"] as? String else { return object }
        var target: Any? = document
        for part in reference.dropFirst(2).split(separator: "/") { target = (target as? [String: Any])?[String(part)] }
        return resolve(target, in: document)
    }

    /// The paths of the request body's members whose schema says the server parses them (`x-parsed-by`), at any
    /// depth, with `[]` for array items: `rule`, `template.data`, `messages[].template.data`.
    static func parsedMembers(_ operation: [String: Any], in document: [String: Any]) -> Set<String> {
        let content = (operation["requestBody"] as? [String: Any])?["content"] as? [String: Any]
        var found = Set<String>()
        collectParsed(resolve((content?["application/json"] as? [String: Any])?["schema"], in: document), at: "", in: document, depth: 0, into: &found)
        return found
    }

    private static func collectParsed(_ schema: [String: Any]?, at path: String, in document: [String: Any], depth: Int, into found: inout Set<String>) {
        // The depth bound stops a recursive schema; request bodies here nest a few levels at most.
        guard let schema, depth < 8 else { return }
        if !path.isEmpty, schema["x-parsed-by"] != nil { found.insert(path); return }
        for (name, member) in schema["properties"] as? [String: Any] ?? [:] {
            collectParsed(resolve(member, in: document), at: path.isEmpty ? name : "\(path).\(name)", in: document, depth: depth + 1, into: &found)
        }
        if let items = resolve(schema["items"], in: document) {
            collectParsed(items, at: "\(path)[]", in: document, depth: depth + 1, into: &found)
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for variant in schema[key] as? [Any] ?? [] {
                collectParsed(resolve(variant, in: document), at: path, in: document, depth: depth + 1, into: &found)
            }
        }
    }

    /// The length and pattern limits of the operation's query parameters.
    static func queryLimits(_ parameters: [Any], in document: [String: Any]) -> [QueryLimit] {
        parameters.compactMap { parameter in
            guard let parameter = resolve(parameter, in: document), parameter["in"] as? String == "query",
                  let name = parameter["name"] as? String, let schema = resolve(parameter["schema"], in: document)
            else { return nil }
            let limit = QueryLimit(
                name: name, maximumLength: schema["maxLength"] as? Int, minimumLength: schema["minLength"] as? Int, pattern: schema["pattern"] as? String
            )
            return limit.maximumLength == nil && limit.minimumLength == nil && limit.pattern == nil ? nil : limit
        }
    }

    /// True when the operation's JSON request body schema declares a nullable value anywhere (following `$ref`s).
    static func requestBodyAcceptsNull(_ operation: [String: Any], in document: [String: Any]) -> Bool {
        guard let body = operation["requestBody"] as? [String: Any], let content = body["content"] as? [String: Any],
              let media = content["application/json"] as? [String: Any], let schema = media["schema"]
        else { return false }
        var visited = Set<String>()
        return mentionsNull(schema, in: document, visited: &visited)
    }

    private static func mentionsNull(_ schema: Any, in document: [String: Any], visited: inout Set<String>) -> Bool {
        if let list = schema as? [Any] { return list.contains { mentionsNull($0, in: document, visited: &visited) } }
        guard let schema = schema as? [String: Any] else { return false }
        if let reference = schema["$ref"] as? String {
            guard visited.insert(reference).inserted else { return false }
            var target: Any? = document
            for part in reference.dropFirst(2).split(separator: "/") { target = (target as? [String: Any])?[String(part)] }
            if let target, mentionsNull(target, in: document, visited: &visited) { return true }
        }
        if schema["type"] as? String == "null" || (schema["type"] as? [Any])?.contains(where: { $0 as? String == "null" }) == true {
            return true
        }
        if schema["nullable"] as? Bool == true { return true }
        for key in ["properties", "patternProperties"] {
            if let members = schema[key] as? [String: Any], members.values.contains(where: { mentionsNull($0, in: document, visited: &visited) }) {
                return true
            }
        }
        for key in ["items", "additionalProperties", "allOf", "anyOf", "oneOf", "not", "prefixItems"] {
            if let nested = schema[key], mentionsNull(nested, in: document, visited: &visited) { return true }
        }
        return false
    }
}

/// Why the specification's policies cannot be used.
struct OperationPolicyError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
