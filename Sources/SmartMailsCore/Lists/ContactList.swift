/// A named group of contacts, each with a membership state; a contact can be in many lists.
public struct ContactList: Sendable, Hashable {
    public static let idPrefix = "lst"
    public static let maximumNameLength = 200

    public var id: String
    public var workspaceID: String
    public var name: String
    public var description: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, workspaceID: String, name: String, description: String?, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.description = description
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public static func validName(_ text: String) throws(ValidationError) -> String {
        let trimmed = String(Substring(text).trimmingSpacesAndTabs)
        guard !trimmed.isEmpty, trimmed.count <= maximumNameLength else {
            throw ValidationError(param: "name", message: "A list's name is 1 to \(maximumNameLength) characters.")
        }
        return trimmed
    }

    public static func validDescription(_ text: String?) throws(ValidationError) -> String? {
        guard let text else { return nil }
        guard text.count <= 2000 else { throw ValidationError(param: "description", message: "At most 2000 characters.") }
        return text.isEmpty ? nil : text
    }
}

/// A contact's state in one list.
public enum MembershipState: String, Sendable, CaseIterable, Hashable {
    case subscribed
    case unsubscribed
    /// Waiting for a double opt-in confirmation.
    case pending
}

/// How many members a list has in each state.
public struct ListCounts: Sendable, Hashable {
    public var subscribed = 0
    public var unsubscribed = 0
    public var pending = 0

    public init(subscribed: Int = 0, unsubscribed: Int = 0, pending: Int = 0) {
        self.subscribed = subscribed
        self.unsubscribed = unsubscribed
        self.pending = pending
    }

    public var total: Int { subscribed + unsubscribed + pending }
}

/// A list with its counts, as lists are shown.
public struct ListSummary: Sendable, Hashable {
    public var list: ContactList
    public var counts: ListCounts

    public init(list: ContactList, counts: ListCounts) {
        self.list = list
        self.counts = counts
    }
}

/// A contact's membership of one list, as a contact's page shows it.
public struct ListMembership: Sendable, Hashable {
    public var listID: String
    public var listName: String
    public var state: MembershipState
    public var updatedAt: Timestamp

    public init(listID: String, listName: String, state: MembershipState, updatedAt: Timestamp) {
        self.listID = listID
        self.listName = listName
        self.state = state
        self.updatedAt = updatedAt
    }
}
