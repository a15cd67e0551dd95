/// The record of how a contact agreed to get mail: where, when, from which address, and the words they were shown.
public struct Consent: Sendable, Hashable {
    public var source: String
    public var at: Timestamp
    public var ip: String?
    public var text: String?

    public init(source: String, at: Timestamp, ip: String? = nil, text: String? = nil) {
        self.source = source
        self.at = at
        self.ip = ip
        self.text = text
    }
}
