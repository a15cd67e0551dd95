import Foundation
import HTTPTypes

/// Checks query parameters against the lengths and patterns the spec gives them, which the generated decoders do
/// not: an over-long filter is a 400 naming it, as the spec promises, never a query that quietly finds nothing.
enum QueryLimits {
    static func check(_ request: HTTPRequest, _ limits: [QueryLimit]) throws(APIError) {
        guard !limits.isEmpty, let path = request.path, let start = path.firstIndex(of: "?") else { return }
        let items = URLComponents(string: String(path[start...]))?.queryItems ?? []
        for limit in limits {
            for item in items where item.name == limit.name {
                let value = item.value ?? ""
                if let maximum = limit.maximumLength, value.count > maximum {
                    throw APIError.badRequest("invalid_value", "\(limit.name) is at most \(maximum) characters.", param: limit.name)
                }
                if let minimum = limit.minimumLength, value.count < minimum {
                    throw APIError.badRequest("invalid_value", "\(limit.name) is at least \(minimum) characters.", param: limit.name)
                }
                if let pattern = limit.pattern, value.range(of: pattern, options: .regularExpression) == nil {
                    // A cursor is the id of the previous page's last item; its error says so, as the list's own check does.
                    if limit.name == "cursor" {
                        let idPrefix = String(pattern.dropFirst().prefix { $0 != "_" })
                        if !idPrefix.isEmpty, idPrefix.allSatisfy(\.isLetter) { _ = try PageCursor.decode(value, idPrefix: idPrefix) }
                        throw APIError.badRequest("invalid_cursor", "cursor must be the next_cursor of the previous page.", param: "cursor")
                    }
                    throw APIError.badRequest("invalid_value", "\(limit.name) does not have the form \(pattern).", param: limit.name)
                }
            }
        }
    }
}
