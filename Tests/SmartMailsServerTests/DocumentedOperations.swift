import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// An operation as `/openapi.json` documents it.
struct DocumentedOperation: CustomStringConvertible {
    let method: HTTPRequest.Method
    let path: String
    let operationID: String
    let requiredScope: String?
    let isPublic: Bool
    let takesBody: Bool

    var description: String { "\(method) \(path) (\(operationID))" }

    /// The path with `{id}` filled in (and a template's `{version}` with 1).
    func path(id: String) -> String { path.replacingOccurrences(of: "{id}", with: id).replacingOccurrences(of: "{version}", with: "1") }
}

extension TestClientProtocol {
    /// Every operation of the served spec, so that a new operation is covered here the day it is added.
    func documentedOperations() async throws -> [DocumentedOperation] {
        let spec = try await call(.get, "/openapi.json", key: nil).json
        let paths = try #require(spec["paths"] as? [String: [String: Any]])
        let defaultSecurity = spec["security"] as? [Any] ?? []
        var operations: [DocumentedOperation] = []
        for (path, item) in paths {
            for (method, operation) in item where method != "parameters" {
                let operation = try #require(operation as? [String: Any])
                let operationID = operation["operationId"] as? String ?? "?"
                let scope = operation["x-required-scope"] as? String
                #expect(scope != nil, "\(method.uppercased()) \(path) (\(operationID)) declares no x-required-scope")
                operations.append(DocumentedOperation(
                    method: try #require(HTTPRequest.Method(method.uppercased())), path: path, operationID: operationID,
                    requiredScope: scope == "none" ? nil : scope, isPublic: (operation["security"] as? [Any] ?? defaultSecurity).isEmpty,
                    takesBody: operation["requestBody"] != nil
                ))
            }
        }
        #expect(operations.count >= 12)
        return operations.sorted { $0.description < $1.description }
    }
}
