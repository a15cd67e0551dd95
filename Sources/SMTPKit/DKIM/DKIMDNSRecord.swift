/// The TXT record a domain publishes so receivers can verify its signatures (`selector._domainkey.domain`).
public struct DKIMDNSRecord: Sendable, Hashable {
    /// The owner name, e.g. `mail2025._domainkey.example.com`.
    public let name: String
    /// The record text, e.g. `v=DKIM1; k=rsa; p=MIIBIjANBg…`.
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// The value as quoted strings of at most 255 characters, as zone files and most DNS panels need
    /// for 2048-bit RSA keys (a TXT character-string holds 255 octets).
    public var zoneFileValue: String {
        var chunks: [String] = []
        var rest = Substring(value)
        while !rest.isEmpty {
            chunks.append("\"\(rest.prefix(255))\"")
            rest = rest.dropFirst(255)
        }
        return chunks.joined(separator: " ")
    }

    /// A zone-file line: `name. IN TXT ( "…" "…" )`.
    public var zoneFileLine: String { "\(name). IN TXT ( \(zoneFileValue) )" }
}
