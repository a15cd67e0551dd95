/// A step of an SMTP session, used to say where a reply, a refusal or a timeout happened.
public enum SMTPStage: String, Sendable, Hashable, CaseIterable {
    case connect
    /// Between transactions, when a server speaks unasked (a 421 before it hangs up).
    case idle
    case greeting
    case ehlo
    case helo
    case startTLS
    case tlsHandshake
    case auth
    case mailFrom
    case rcptTo
    case dataInitiation
    case dataBlock
    case dataTermination
    case rset
    case noop
    case quit
}
