/// Where a message stands. `queued`, `sending` and `deferred` are on their way; the rest are final.
public enum MessageStatus: String, Sendable, Codable, CaseIterable {
    case queued, sending, deferred
    /// Accepted by the next hop (its reply is in the timeline).
    case delivered
    /// Refused for good by the next hop (a 5xx); the refused addresses are suppressed.
    case bounced
    /// Given up: retried past the queue's maximum age, or undeliverable as composed.
    case failed
    /// Every recipient is on the suppression list; nothing was sent.
    case suppressed
    /// Sent with an `sm_test_` key: composed and signed as a live message would be, never delivered.
    case sandboxed
    case cancelled

    public var isFinal: Bool {
        switch self {
        case .queued, .sending, .deferred: false
        default: true
        }
    }
}

/// One entry of a message's timeline.
public struct MessageEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case queued, sending, delivered, deferred, bounced, failed, suppressed, sandboxed, cancelled
    }

    public let kind: Kind
    public let at: Timestamp
    /// The next hop's reply, or why (for example the reason of a deferral).
    public let detail: String?
    /// For a deferral: when the next attempt is due.
    public let nextAttemptAt: Timestamp?

    public init(kind: Kind, at: Timestamp, detail: String? = nil, nextAttemptAt: Timestamp? = nil) {
        self.kind = kind
        self.at = at
        self.detail = detail
        self.nextAttemptAt = nextAttemptAt
    }
}
