import SmartMailsCore

/// Messages, their timelines, and the delivery queue that workers on every node claim from.
public protocol MessageStore: Sendable {
    /// Stores the messages, their `queued` events and queue entries in one transaction, and wakes the workers of
    /// every node once it commits.
    /// With a `charge`, the messages' recipients are counted against the key's daily quota in the same
    /// transaction; past the quota nothing is stored and `RecipientQuotaExceeded` is thrown.
    func insertMessages(_ messages: [Message], charging charge: RecipientQuotaCharge?) async throws
    /// Recipients counted against the key's quota on that UTC day (`2026-12-07`).
    func recipientsCounted(keyID: String, day: String) async throws -> Int
    /// The message with its timeline.
    func message(workspaceID: String, id: String) async throws -> Message?
    /// Newest first, without timelines.
    func messages(workspaceID: String, filter: MessageFilter, limit: Int, beforeID: String?) async throws -> [Message]
    /// Cancels a message that no worker holds and that is not settled; the message as it then stands and whether
    /// this call cancelled it, or nil when there is no such message.
    func cancelMessage(workspaceID: String, id: String, at now: Timestamp) async throws -> (message: Message, cancelled: Bool)?

    /// Leases up to `limit` due messages to `owner` until `leaseUntil`, marking them `sending`. A message whose
    /// lease has run out (its node died) is due again.
    func claimDeliveries(owner: String, limit: Int, now: Timestamp, leaseUntil: Timestamp) async throws -> [ClaimedDelivery]
    /// When the next queued message falls due (or a lease runs out); nil when the queue is empty.
    func nextDeliveryDue() async throws -> Timestamp?
    /// Settles or defers claimed messages in one transaction, those that `owner` still holds; the ids it held (the
    /// others' leases were lost, and another node's outcome counts).
    @discardableResult
    func recordDeliveries(_ outcomes: [DeliveryOutcome], owner: String) async throws -> Set<String>
    /// Gives claimed messages back to the queue unsent (a graceful shutdown).
    func releaseDeliveries(owner: String, messageIDs: [String], at now: Timestamp) async throws
    /// Ends every lease at once: on SQLite, a starting server is the only process that delivers. The messages
    /// count as abandoned mid-send when next claimed.
    func releaseAllLeases() async throws
    /// Calls `onWake` whenever another process queues messages, until cancelled; false when the engine cannot tell.
    func followQueue(_ onWake: @escaping @Sendable () -> Void) async throws -> Bool
}

/// What the message list can be narrowed by.
public struct MessageFilter: Sendable, Equatable {
    public var status: MessageStatus?
    public var tag: String?
    /// An address (normalised) that the message was sent to (its first `to`).
    public var recipient: String?
    public var createdAfter: Timestamp?
    public var createdBefore: Timestamp?

    public init(status: MessageStatus? = nil, tag: String? = nil, recipient: String? = nil, createdAfter: Timestamp? = nil, createdBefore: Timestamp? = nil) {
        self.status = status
        self.tag = tag
        self.recipient = recipient
        self.createdAfter = createdAfter
        self.createdBefore = createdBefore
    }
}

/// A message a worker holds, and which attempt this is.
public struct ClaimedDelivery: Sendable {
    public let message: Message
    /// 1 for the first attempt.
    public let attempt: Int
    public let firstAttemptAt: Timestamp
    /// The previous lease ran out with no outcome recorded (its node died or was killed mid-send): the message may
    /// already have arrived, and this attempt may deliver it twice.
    public let resumesAbandonedLease: Bool

    /// The `sending` event's detail on such an attempt.
    public static let abandonedLeaseDetail =
        "Tried again: the previous attempt's lease ran out with no outcome recorded (its server stopped mid-send), so this message may arrive twice."

    public init(message: Message, attempt: Int, firstAttemptAt: Timestamp, resumesAbandonedLease: Bool = false) {
        self.message = message
        self.attempt = attempt
        self.firstAttemptAt = firstAttemptAt
        self.resumesAbandonedLease = resumesAbandonedLease
    }
}

/// How one attempt ended.
public struct DeliveryOutcome: Sendable {
    public let messageID: String
    public let workspaceID: String
    /// `deferred` keeps it queued until `event.nextAttemptAt`; any other status settles it.
    public let status: MessageStatus
    public let event: MessageEvent
    /// Addresses to suppress with it (a hard bounce's refused recipients).
    public let suppress: [Suppression]

    public init(messageID: String, workspaceID: String, status: MessageStatus, event: MessageEvent, suppress: [Suppression] = []) {
        self.messageID = messageID
        self.workspaceID = workspaceID
        self.status = status
        self.event = event
        self.suppress = suppress
    }
}

/// The addresses a workspace sends nothing to.
public protocol SuppressionStore: Sendable {
    /// By address.
    func suppressions(workspaceID: String, reason: Suppression.Reason?, limit: Int, afterAddress: String?) async throws -> [Suppression]
    func suppression(workspaceID: String, address: String) async throws -> Suppression?
    /// Adds the suppression or replaces the one of that address.
    func putSuppression(_ suppression: Suppression, workspaceID: String) async throws
    func deleteSuppression(workspaceID: String, address: String) async throws -> Bool
    /// Which of `addresses` (lower-cased) are suppressed at `now`.
    func suppressedAddresses(workspaceID: String, among addresses: [String], at now: Timestamp) async throws -> Set<String>
}

extension MessageStore {
    public func insertMessages(_ messages: [Message]) async throws {
        try await insertMessages(messages, charging: nil)
    }
}

/// Recipients to count against a key's daily quota.
public struct RecipientQuotaCharge: Sendable {
    public let keyID: String
    public let day: String
    public let recipients: Int
    public let limit: Int

    public init(keyID: String, day: String, recipients: Int, limit: Int) {
        self.keyID = keyID
        self.day = day
        self.recipients = recipients
        self.limit = limit
    }
}

/// The key's quota for the day would be passed; `used` is what it had counted already.
public struct RecipientQuotaExceeded: Error, Equatable, Sendable {
    public let used: Int
    public let limit: Int

    public init(used: Int, limit: Int) {
        self.used = used
        self.limit = limit
    }
}
