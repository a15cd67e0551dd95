/// A person who belongs to a workspace; the first start creates its owner.
public struct User: Sendable, Hashable {
    public static let idPrefix = "usr"

    public enum Role: String, Sendable, Hashable, CaseIterable {
        case owner, admin, member
    }

    public var id: String
    public var workspaceID: String
    public var email: String
    public var role: Role
    public var createdAt: Timestamp

    public init(id: String, workspaceID: String, email: String, role: Role, createdAt: Timestamp) {
        self.id = id
        self.workspaceID = workspaceID
        self.email = email
        self.role = role
        self.createdAt = createdAt
    }
}
