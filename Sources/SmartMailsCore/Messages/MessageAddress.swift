/// A mailbox: a normalised address and an optional display name (which may not hold CR, LF or NUL).
public struct MessageAddress: Sendable, Hashable, Codable {
    public static let maximumNameLength = 200

    public let email: String
    public let name: String?

    public init(trusted email: String, name: String? = nil) {
        self.email = email
        self.name = name
    }

    /// The address as `ContactEmail` normalises it, with its name checked; errors name `param`.
    public static func parse(email: String, name: String?, param: String) throws(ValidationError) -> MessageAddress {
        let address = try ContactEmail.parse(email, param: param + ".email")
        guard let name, !name.isEmpty else { return MessageAddress(trusted: address.address) }
        try HeaderText.check(name, param: param + ".name")
        guard name.count <= maximumNameLength else {
            throw ValidationError(param: param + ".name", message: "A name is at most \(maximumNameLength) characters.")
        }
        return MessageAddress(trusted: address.address, name: name)
    }

    /// The part after the `@`.
    public var domain: String { String(email[email.index(after: email.lastIndex(of: "@")!)...]) }
}

/// Text that ends up in a header: no CR or LF (which would start a header of the sender's choosing), no NUL and no
/// other control character but tab.
public enum HeaderText {
    public static func check(_ text: String, param: String) throws(ValidationError) {
        guard let bad = text.unicodeScalars.first(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) else { return }
        let name = switch bad {
        case "\0": "NUL"
        case "\r": "CR"
        case "\n": "LF"
        default: "control characters"
        }
        throw ValidationError(param: param, message: "This value may not contain \(name): it ends up in a message header.")
    }
}
