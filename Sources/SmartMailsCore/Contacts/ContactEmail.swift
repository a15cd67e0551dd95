import Crypto

/// A contact's address as the issue of contacts defines it: trimmed, the domain lower-cased and IDNA-encoded, the
/// local part kept as given (some servers tell `Ana` from `ana`); uniqueness uses `key`, the whole address lower-cased.
public struct ContactEmail: Sendable, Hashable {
    public static let maximumLength = 254

    public let address: String
    /// What a workspace's contacts are unique by.
    public var key: String { address.lowercased() }

    public init(trusted address: String) { self.address = address }

    /// The normalised address; a `ValidationError` naming `param` when `text` cannot be one.
    public static func parse(_ text: String, param: String = "email") throws(ValidationError) -> ContactEmail {
        let trimmed = String(Substring(text).trimmingSpacesAndTabs)
        guard let at = trimmed.utf8.lastIndex(of: UInt8(ascii: "@")) else {
            throw ValidationError(param: param, message: "'\(trimmed.prefix(100))' is not an e-mail address: it has no @.")
        }
        let local = String(trimmed[..<at])
        let domainText = String(trimmed[trimmed.index(after: at)...])
        guard !local.isEmpty, local.utf8.count <= 64, isValidLocalPart(local) else {
            throw ValidationError(param: param, message: "'\(trimmed.prefix(100))' is not an e-mail address: the part before @ must be 1 to 64 characters with no spaces, quotes or control characters.")
        }
        guard let domain = DomainName.normalized(domainText) else {
            throw ValidationError(param: param, message: "'\(trimmed.prefix(100))' is not an e-mail address: '\(domainText.prefix(100))' is not a domain.")
        }
        let address = local + "@" + domain
        guard address.utf8.count <= maximumLength else {
            throw ValidationError(param: param, message: "E-mail addresses are at most \(maximumLength) characters.")
        }
        return ContactEmail(trusted: address)
    }

    /// A dot-atom in the spirit of RFC 5321, allowing UTF-8 (RFC 6531); quoted local parts are refused, since
    /// practically no real mailbox needs one and many relays mishandle them.
    private static func isValidLocalPart(_ local: String) -> Bool {
        let utf8 = local.utf8
        guard utf8.first != UInt8(ascii: "."), utf8.last != UInt8(ascii: ".") else { return false }
        var previousDot = false
        for byte in utf8 {
            if byte == UInt8(ascii: ".") {
                if previousDot { return false }
                previousDot = true
                continue
            }
            previousDot = false
            if byte >= 0x80 { continue }
            guard byte > 0x20, byte != 0x7F, !"\"(),:;<>@[\\]".utf8.contains(byte) else { return false }
        }
        return true
    }
}

extension ContactEmail {
    /// What a suppression keeps of an erased contact: a SHA-256 of the workspace and the address key, enough to
    /// recognise the address when it is imported again and useless to read back.
    public func suppressionHash(workspaceID: String) -> String {
        let digest = SHA256.hash(data: Array((workspaceID + "\n" + key).utf8))
        return Hex.encode(Array(digest))
    }
}
