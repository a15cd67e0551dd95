/// A mailbox (`Display Name <local@domain>`) as written in From, To, Cc and Reply-To; validated on creation.
public struct MIMEAddress: Sendable, Hashable {
    /// The bare address, `local@domain`, as used in the SMTP envelope.
    public let address: String
    /// The human-readable name; may hold any Unicode (it is RFC 2047-encoded on output).
    public let displayName: String?

    /// Validates both parts now, so an injected CR/LF is refused before a message is ever built.
    public init(_ address: String, displayName: String? = nil) throws {
        guard Self.isValidAddress(address) else { throw MIMEError.invalidAddress(address) }
        if let displayName, displayName.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F }) {
            throw MIMEError.invalidAddress(displayName)
        }
        self.address = address
        self.displayName = (displayName?.isEmpty ?? true) ? nil : displayName
    }

    /// The domain part, used for a default Message-ID.
    public var domain: Substring {
        address[address.index(after: address.lastIndex(of: "@")!)...]
    }

    /// ASCII only (we do not speak SMTPUTF8), a dot-atom-ish local part and a hostname or address literal.
    static func isValidAddress(_ address: String) -> Bool {
        let bytes = Array(address.utf8)
        guard bytes.count <= 254, let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return false }
        let local = bytes[..<at]
        let domain = bytes[(at + 1)...]
        guard !local.isEmpty, local.count <= 64, !domain.isEmpty, domain.count <= 253 else { return false }
        let forbiddenInLocal = Array("\"(),:;<>@[\\]".utf8)
        for byte in local where byte <= 0x20 || byte >= 0x7F || forbiddenInLocal.contains(byte) {
            return false
        }
        if local.first == UInt8(ascii: ".") || local.last == UInt8(ascii: ".") { return false }
        if domain.first == UInt8(ascii: "["), domain.last == UInt8(ascii: "]") {
            return domain.dropFirst().dropLast().allSatisfy { isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") }
        }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                && label.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") }
        }
    }

    private static func isAlnum(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
