import NIOCore

/// How long the client waits at each stage; the defaults are RFC 5321 §4.5.3.2's minimums.
public struct SMTPTimeouts: Sendable, Hashable {
    public var connect: TimeAmount = .seconds(30)
    public var greeting: TimeAmount = .minutes(5)
    /// EHLO, HELO, STARTTLS and its handshake, AUTH, RSET, NOOP and QUIT, for which the RFC names no figure.
    public var command: TimeAmount = .minutes(5)
    public var mailFrom: TimeAmount = .minutes(5)
    public var rcptTo: TimeAmount = .minutes(5)
    public var dataInitiation: TimeAmount = .minutes(2)
    /// The longest a write of the message may take.
    public var dataBlock: TimeAmount = .minutes(3)
    public var dataTermination: TimeAmount = .minutes(10)

    public init() {}

    /// Every stage with the same limit, handy in tests.
    public static func uniform(_ timeout: TimeAmount) -> SMTPTimeouts {
        var timeouts = SMTPTimeouts()
        timeouts.connect = timeout
        timeouts.greeting = timeout
        timeouts.command = timeout
        timeouts.mailFrom = timeout
        timeouts.rcptTo = timeout
        timeouts.dataInitiation = timeout
        timeouts.dataBlock = timeout
        timeouts.dataTermination = timeout
        return timeouts
    }

    public func timeout(for stage: SMTPStage) -> TimeAmount {
        switch stage {
        case .connect: return self.connect
        case .greeting: return self.greeting
        case .mailFrom: return self.mailFrom
        case .rcptTo: return self.rcptTo
        case .dataInitiation: return self.dataInitiation
        case .dataBlock: return self.dataBlock
        case .dataTermination: return self.dataTermination
        case .idle, .ehlo, .helo, .startTLS, .tlsHandshake, .auth, .rset, .noop, .quit: return self.command
        }
    }
}
