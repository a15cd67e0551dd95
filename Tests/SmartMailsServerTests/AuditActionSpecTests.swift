import SmartMailsAPI
import SmartMailsCore
import Testing

/// The spec's `AuditAction` enum is what clients decode: an action the code records but the spec lacks would make
/// every audit-log page that holds one fail.
@Suite struct AuditActionSpecTests {
    @Test func everyRecordedActionIsInTheSpecAndNoOther() {
        let missing = AuditAction.allCases.filter { Components.Schemas.AuditAction(rawValue: $0.rawValue) == nil }
        #expect(missing.isEmpty, "recorded but not in openapi.yaml: \(missing.map(\.rawValue))")
        let unknown = Components.Schemas.AuditAction.allCases.filter { AuditAction(rawValue: $0.rawValue) == nil }
        #expect(unknown.isEmpty, "in openapi.yaml but never recorded: \(unknown.map(\.rawValue))")
    }
}
