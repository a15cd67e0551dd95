/// Who a message is from and to, as told to the server (MAIL FROM / RCPT TO), independent of the message headers.
public struct SMTPEnvelope: Sendable, Hashable {
    /// The reverse path; empty for bounces (`MAIL FROM:<>`).
    public var from: String
    public var recipients: [String]

    public init(from: String, recipients: [String]) {
        self.from = from
        self.recipients = recipients
    }

    /// True when an address has non-ASCII characters, which only SMTPUTF8 servers accept.
    var needsSMTPUTF8: Bool {
        !self.from.utf8.allSatisfy { $0 < 0x80 } || !self.recipients.allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } }
    }

    /// Refuses what would break the command line or let a caller inject commands.
    func validate() throws(SMTPClientError) {
        guard !self.recipients.isEmpty else { throw .invalidEnvelope("no recipients") }
        for address in [self.from] + self.recipients {
            if address.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) {
                throw .invalidEnvelope("address \(address.debugDescription) contains CR, LF, NUL or angle brackets")
            }
        }
        for address in self.recipients where address.isEmpty {
            throw .invalidEnvelope("empty recipient address")
        }
    }
}
