import Foundation
import SmartMailsCore

/// How the dashboard writes values: times in UTC to the minute, scope sets by their preset's name when they are one.
enum DashboardFormat {
    static func time(_ timestamp: Timestamp?) -> String {
        guard let timestamp else { return "—" }
        let text = UTCDateTranscoder.rfc3339(timestamp.date)  // 2026-12-01T23:59:59Z
        return text.prefix(10) + " " + text.dropFirst(11).prefix(5)
    }

    static func access(_ scopes: ScopeSet) -> String {
        if let preset = ScopePreset.allCases.last(where: { $0.scopes == scopes }) { return preset.rawValue.capitalized }
        return scopes.scopes.map(\.rawValue).joined(separator: ", ")
    }
}
