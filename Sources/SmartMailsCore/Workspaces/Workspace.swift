/// The tenant: every object belongs to exactly one workspace, and no query crosses between them.
public struct Workspace: Sendable, Hashable {
    public static let idPrefix = "ws"
    public var id: String
    public var slug: String
    public var name: String
    public var createdAt: Timestamp

    public init(id: String, slug: String, name: String, createdAt: Timestamp) {
        self.id = id
        self.slug = slug
        self.name = name
        self.createdAt = createdAt
    }
}
