/// Domain names as addresses and sending domains both need them: lower-case ASCII, internationalised names
/// IDNA-encoded, at least two labels of letters, digits and hyphens.
enum DomainName {
    /// The normalised name, or nil when `text` is not a domain name.
    static func normalized(_ text: String) -> String? {
        // Plain ASCII domains (nearly all) skip the IDNA work.
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return IDNA.asciiDomain(text) }
        let domain = text.lowercased()
        return isValidASCIIDomain(domain) ? domain : nil
    }

    static func isValidASCIIDomain(_ domain: String) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, domain.utf8.count <= 253 else { return false }
        return labels.allSatisfy { label in
            let bytes = label.utf8
            guard !bytes.isEmpty, bytes.count <= 63, bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else { return false }
            return bytes.allSatisfy { $0.isASCIILetter || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "-") }
        }
    }
}
