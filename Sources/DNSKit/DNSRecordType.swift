/// The record types the lookups here ask for and read (RFC 1035 §3.2.2).
public enum DNSRecordType: UInt16, Sendable {
    case cname = 5
    case mx = 15
    case txt = 16
    case opt = 41
}

/// One answer record's data, for the types that are read; others are skipped.
public enum DNSRecordData: Equatable, Sendable {
    /// A TXT record's character-strings joined, as RFC 7208 §3.3 and RFC 6376 §3.6.2.2 read them.
    case txt(String)
    case mx(preference: UInt16, exchange: String)
    case cname(String)
}

public struct DNSAnswer: Equatable, Sendable {
    public let name: String
    public let data: DNSRecordData

    public init(name: String, data: DNSRecordData) {
        self.name = name
        self.data = data
    }
}
