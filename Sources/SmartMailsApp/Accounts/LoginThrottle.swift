import SmartMailsCore

/// How many failed sign-ins lock an account or an address out, and for how long. Failures are stored, so every
/// node of a PostgreSQL deployment counts the same ones.
public struct LoginThrottle: Sendable {
    public var windowSeconds: Int64 = 15 * 60
    public var failuresPerAccount = 5
    public var failuresPerAddress = 20

    public init() {}

    /// What a failed sign-in counts against: the account's e-mail and, when known, the client's address.
    static func subjects(email: String, ip: String?) -> [String] {
        ["account:" + email] + (ip.map { ["ip:" + $0] } ?? [])
    }

    /// When the subject may try again, given its failures within the window (oldest first); nil when it may now.
    func lockedUntil(_ failures: [Timestamp], limit: Int) -> Timestamp? {
        guard failures.count >= limit else { return nil }
        // The lock lifts when enough failures have left the window to be under the limit again.
        return failures[failures.count - limit].adding(seconds: windowSeconds)
    }
}
