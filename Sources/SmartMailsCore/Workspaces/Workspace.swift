/// The tenant: every object belongs to exactly one workspace, and no query crosses between them.
public struct Workspace: Sendable, Hashable {
    public static let idPrefix = "ws"
    public var id: String
    public var slug: String
    public var name: String
    public var createdAt: Timestamp
    /// Messages only from verified sending domains (off by default, so that a newcomer can send at once).
    public var requireVerifiedDomains: Bool

    public init(id: String, slug: String, name: String, createdAt: Timestamp, requireVerifiedDomains: Bool = false) {
        self.id = id
        self.slug = slug
        self.name = name
        self.createdAt = createdAt
        self.requireVerifiedDomains = requireVerifiedDomains
    }
}
