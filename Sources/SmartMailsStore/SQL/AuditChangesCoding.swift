import Foundation

/// Audit `changes` are kept as a JSON object in a TEXT column, readable in either engine's shell.
enum AuditChangesCoding {
    static func encode(_ changes: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let data = try? encoder.encode(changes) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ text: String) throws -> [String: String] {
        do {
            return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        } catch {
            throw StoredValueError(table: "audit_log", column: "changes", value: String(text.prefix(100)))
        }
    }
}
