import SmartMailsApp
import SmartMailsCore

/// The `cursor` of list endpoints: the id of the previous page's last item, so the next page is a keyset read
/// after it. Any well-formed id of the list's kind is a valid cursor, which is what the spec's pattern says.
enum PageCursor {
    static func decode(_ cursor: String?, idPrefix: String) throws(APIError) -> String? {
        guard let cursor else { return nil }
        guard ResourceID.isWellFormed(cursor, prefix: idPrefix) else {
            throw APIError.badRequest(
                "invalid_cursor", "cursor must be the next_cursor of the previous page, an id starting with \(idPrefix)_.", param: "cursor"
            )
        }
        return cursor
    }

    /// A cursor that is the previous page's last address (suppressions): no control characters or spaces, as the
    /// spec's pattern says (PostgreSQL cannot even compare a NUL).
    static func decodeAddress(_ cursor: String?) throws(APIError) -> String? {
        guard let cursor else { return nil }
        guard cursor.utf8.count <= 254, !cursor.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            throw APIError.badRequest("invalid_cursor", "cursor must be the next_cursor of the previous page, an address.", param: "cursor")
        }
        return cursor.lowercased()
    }

    /// The page a list operation asked for: its validated `limit` and where its `cursor` points.
    static func request(limit: Int?, cursor: String?, idPrefix: String) throws(APIError) -> PageRequest {
        PageRequest(limit: try self.limit(limit), afterID: try decode(cursor, idPrefix: idPrefix))
    }

    /// The cursor of the page after `page`, nil on the last page.
    static func next<Item>(after page: Page<Item>) -> String? {
        page.lastID
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
