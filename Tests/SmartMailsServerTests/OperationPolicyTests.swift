@testable import SmartMailsServer
import SmartMailsCore
import Testing

/// The per-operation policy as read from a spec: what the shipped spec declares, and the specs that must not serve.
@Suite struct OperationPolicyTests {
    @Test func theShippedSpecDeclaresAPolicyForEveryOperation() throws {
        let policies = try OperationPolicies.fromShippedSpecification()
        #expect(policies["listApiKeys"] == OperationPolicy(access: .key(requiredScope: .keysRead)))
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
}
