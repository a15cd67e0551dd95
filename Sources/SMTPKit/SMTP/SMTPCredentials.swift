/// A user name and password for SMTP AUTH; the description never shows the password.
public struct SMTPCredentials: Sendable, Hashable, CustomStringConvertible {
    /// Which AUTH mechanism to use.
    public enum Mechanism: Sendable, Hashable {
        /// PLAIN when offered, else LOGIN.
        case automatic
        case plain
        case login
    }

    public var username: String
    public var password: String
    public var mechanism: Mechanism

    public init(username: String, password: String, mechanism: Mechanism = .automatic) {
        self.username = username
        self.password = password
        self.mechanism = mechanism
    }

    public var description: String { "SMTPCredentials(username: \(self.username), password: ***)" }
}
