/// Someone a workspace mails: synced from a CRM or a shop, imported, or added by hand.
public struct Contact: Sendable, Hashable {
    public static let idPrefix = "ct"

    public var id: String
    public var workspaceID: String
    public var email: ContactEmail
    public var firstName: String?
    public var lastName: String?
    /// The CRM's or shop's own id, unique per workspace: the key a sync upserts by.
    public var externalID: String?
    public var attributes: ContactAttributes
    /// Sorted and unique.
    public var tags: [String]
    public var timeZone: String?
    public var locale: String?
    public var status: ContactStatus
    public var consent: Consent?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        id: String, workspaceID: String, email: ContactEmail, firstName: String? = nil, lastName: String? = nil,
        externalID: String? = nil, attributes: ContactAttributes = ContactAttributes(), tags: [String] = [],
        timeZone: String? = nil, locale: String? = nil, status: ContactStatus = .active, consent: Consent? = nil,
        createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.externalID = externalID
        self.attributes = attributes
        self.tags = tags
        self.timeZone = timeZone
        self.locale = locale
        self.status = status
        self.consent = consent
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Everything but the times: what decides whether an upsert changed the contact.
    public func sameContent(as other: Contact) -> Bool {
        email == other.email && firstName == other.firstName && lastName == other.lastName && externalID == other.externalID
            && attributes == other.attributes && tags == other.tags && timeZone == other.timeZone && locale == other.locale
            && status == other.status && consent == other.consent
    }
}
