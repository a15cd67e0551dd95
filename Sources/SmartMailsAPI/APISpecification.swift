import Foundation

/// The API contract as shipped with the binary: the same `openapi.yaml` the server types are generated from,
/// served to users at `/openapi.json` and `/docs`.
public enum APISpecification {
    public static func yaml() throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
