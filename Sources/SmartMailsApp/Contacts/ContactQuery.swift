import SmartMailsCore

/// The filters of a contact list or export, as the API and the dashboard take them (a segment by id).
public struct ContactQuery: Sendable {
    public var emailPrefix: String?
    public var tag: String?
    public var status: ContactStatus?
    public var listID: String?
    public var segmentID: String?
    public var updatedSince: Timestamp?

    public init(emailPrefix: String? = nil, tag: String? = nil, status: ContactStatus? = nil, listID: String? = nil, segmentID: String? = nil, updatedSince: Timestamp? = nil) {
        self.emailPrefix = emailPrefix
        self.tag = tag
        self.status = status
        self.listID = listID
        self.segmentID = segmentID
        self.updatedSince = updatedSince
    }
}
