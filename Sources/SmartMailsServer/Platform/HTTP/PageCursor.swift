import Foundation
import SmartMailsApp

/// The opaque `cursor` of list endpoints: the last id of the previous page, base64url-encoded so clients treat it
/// as a token rather than build their own.
enum PageCursor {
    static func encode(lastID: String) -> String {
        Data(lastID.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String?, idPrefix: String) throws(APIError) -> String? {
        guard let cursor else { return nil }
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let id = String(data: data, encoding: .utf8),
              id.hasPrefix(idPrefix + "_"), id.count <= 64
        else { throw APIError.badRequest("invalid_cursor", "This cursor was not issued by this list. Pass the next_cursor of the previous page unchanged.", param: "cursor") }
        return id
    }

    /// The page a list operation asked for: its validated `limit` and where its `cursor` points.
    static func request(limit: Int?, cursor: String?, idPrefix: String) throws(APIError) -> PageRequest {
        PageRequest(limit: try self.limit(limit), afterID: try decode(cursor, idPrefix: idPrefix))
    }

    /// The cursor of the page after `page`, nil on the last page.
    static func next<Item>(after page: Page<Item>) -> String? {
        page.lastID.map { encode(lastID: $0) }
    }

    /// Validates `limit` (1–100, default 25).
    static func limit(_ requested: Int?) throws(APIError) -> Int {
        let limit = requested ?? 25
        guard (1...100).contains(limit) else {
            throw APIError.badRequest("invalid_limit", "limit must be between 1 and 100.", param: "limit")
        }
        return limit
    }
}
