/// Where a list continues: at most `limit` items after the item with id `afterID` (nil: from the start).
public struct PageRequest: Sendable, Equatable {
    public var limit: Int
    public var afterID: String?

    public init(limit: Int, afterID: String?) {
        self.limit = limit
        self.afterID = afterID
    }
}

/// One page of a list, and whether another follows.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var hasMore: Bool
    /// The id to continue after, when another page follows.
    public var lastID: String?

    /// Splits rows fetched with `limit + 1` (the extra row says whether another page exists, without a COUNT).
    public init(rows: [Item], limit: Int, id: (Item) -> String) {
        items = Array(rows.prefix(limit))
        hasMore = rows.count > limit
        lastID = hasMore ? items.last.map(id) : nil
    }
}
