@testable import SmartMailsServer
import SmartMailsAPI
import SmartMailsCore
import Testing
import Yams

/// The per-operation policy as read from a spec: what the shipped spec declares, and the specs that must not serve.
@Suite struct OperationPolicyTests {
    @Test func theShippedSpecDeclaresAPolicyForEveryOperation() throws {
        let policies = try OperationPolicies.fromShippedSpecification()
        var listKeys = OperationPolicy(access: .key(requiredScope: .keysRead))
        listKeys.queryLimits = [QueryLimit(name: "cursor", pattern: "^key_[0-9a-hjkmnp-tv-z]{26}$")]
        #expect(policies["listApiKeys"] == listKeys)
        // Query parameters' lengths and patterns come from the spec, and so does what a body's parsed members are.
        #expect(policies["listContacts"]?.queryLimits.contains(QueryLimit(name: "tag", maximumLength: 64, pattern: "^[^\\x00]*$")) == true)
        #expect(policies["createSegment"]?.parsedMembers == ["rule"])
        // At any depth: template data inside a message and inside each message of a batch.
        #expect(policies["sendMessage"]?.parsedMembers.contains("template.data") == true)
        #expect(policies["sendMessageBatch"]?.parsedMembers.contains("messages[].template.data") == true)
        #expect(policies["startImport"]?.streamedBody == true)
        #expect(policies["getMe"] == OperationPolicy(access: .key(requiredScope: nil)))
        #expect(policies["getHealth"] == OperationPolicy(access: .public))
        // Answers with a secret are never stored, so they cannot be replayed.
        #expect(policies["createApiKey"]?.secretResponse == true && policies["createApiKey"]?.idempotent == false)
        #expect(policies["rollApiKey"]?.secretResponse == true)
        #expect(policies.byOperationID.count >= 12)
    }

    @Test(arguments: [
        ("get: { operationId: op }", "declares no x-required-scope"),
        ("get: { operationId: op, x-required-scope: contacts:erase }", "unknown scope 'contacts:erase'"),
        ("get: { operationId: op, x-required-scope: keys:read, security: [] }", "public (security: []) but requires a scope"),
        ("post: { operationId: op, x-required-scope: keys:admin, x-idempotent: true, x-secret-response: true }", "answers with a secret"),
        ("post: { operationId: op, x-required-scope: none, x-max-body-bytes: -1 }", "invalid x-max-body-bytes"),
        ("get: { x-required-scope: none }", "has no operationId"),
    ])
    func aSpecWithAnIncompletePolicyIsRefused(operation: String, reason: String) {
        let spec = """
            openapi: "3.1.0"
            security: [{ bearerAuth: [] }]
            paths:
              /v1/thing:
                \(operation)
            """
        let error = #expect(throws: OperationPolicyError.self) { try OperationPolicies(yaml: spec) }
        #expect(error?.description.contains(reason) == true, "\(error?.description ?? "no error")")
    }

    @Test func aNullableFieldAnywhereInTheBodySchemaLetsNullsThrough() throws {
        let spec = """
            openapi: "3.1.0"
            paths:
              /v1/strict:
                post:
                  operationId: strict
                  x-required-scope: none
                  requestBody: { content: { application/json: { schema: { $ref: "#/components/schemas/Outer" } } } }
              /v1/lenient:
                post:
                  operationId: lenient
                  x-required-scope: none
                  requestBody: { content: { application/json: { schema: { $ref: "#/components/schemas/Loose" } } } }
            components:
              schemas:
                Outer: { type: object, properties: { inner: { $ref: "#/components/schemas/Outer" }, n: { type: integer } } }
                Loose: { type: object, properties: { items: { type: array, items: { type: [string, "null"] } } } }
            """
        let policies = try OperationPolicies(yaml: spec)
        #expect(policies["strict"]?.acceptsNull == false)
        #expect(policies["lenient"]?.acceptsNull == true)
        #expect(try OperationPolicies.fromShippedSpecification().byOperationID.values.allSatisfy { !$0.acceptsNull })
    }

    /// The spec's scope names are what the server parses, so a scope added to one and not the other fails here.
    @Test func theSpecListsExactlyTheScopesAndPresetsTheServerKnows() throws {
        let document = try #require(try Yams.load(yaml: try APISpecification.yaml()) as? [String: Any])
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let names = try #require((schemas?["ScopeName"] as? [String: Any])?["enum"] as? [String])
        #expect(names == Scope.allCases.map(\.rawValue) + ScopePreset.allCases.map(\.rawValue))
    }

    /// Request bodies fail closed: every object a request body can hold, however deep, refuses unknown members, is a
    /// map whose values have a schema (attributes), or is parsed member by member by the server (`x-parsed-by`: rules).
    @Test func everyObjectInARequestBodyRefusesUnknownMembers() throws {
        let document = try #require(try Yams.load(yaml: try APISpecification.yaml()) as? [String: Any])
        var open: [String] = []
        var visited = Set<String>()
        func check(_ schema: Any?, at path: String) {
            guard let schema = schema as? [String: Any] else { return }
            if let reference = schema["$ref"] as? String {
                guard visited.insert(reference).inserted else { return }
                var target: Any? = document
                for part in reference.dropFirst(2).split(separator: "/") { target = (target as? [String: Any])?[String(part)] }
                return check(target, at: reference)
            }
            if schema["type"] as? String == "object" || schema["properties"] != nil {
                let typedMap = schema["additionalProperties"] is [String: Any] && schema["properties"] == nil
                if schema["additionalProperties"] as? Bool != false, !typedMap, schema["x-parsed-by"] == nil { open.append(path) }
                for (name, member) in schema["properties"] as? [String: Any] ?? [:] { check(member, at: "\(path).\(name)") }
            }
            check(schema["items"], at: "\(path)[]")
        }
        for (path, item) in document["paths"] as? [String: Any] ?? [:] {
            for (method, operation) in item as? [String: Any] ?? [:] {
                let body = (operation as? [String: Any])?["requestBody"] as? [String: Any]
                let media = (body?["content"] as? [String: Any])?["application/json"] as? [String: Any]
                check(media?["schema"], at: "\(method.uppercased()) \(path)")
            }
        }
        #expect(open.isEmpty, "objects that take unknown members: \(open)")
    }

    /// Answers list the action of every event; an action the spec does not know would be an answer it forbids.
    @Test func theSpecListsExactlyTheAuditActionsTheServerRecords() throws {
        let document = try #require(try Yams.load(yaml: try APISpecification.yaml()) as? [String: Any])
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let actions = try #require((schemas?["AuditAction"] as? [String: Any])?["enum"] as? [String])
        #expect(actions == AuditAction.allCases.map(\.rawValue))
        let roles = try #require((schemas?["Role"] as? [String: Any])?["enum"] as? [String])
        #expect(roles == Role.allCases.map(\.rawValue))
    }
}
