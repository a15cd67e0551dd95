import Foundation
import Logging
import NIOCore
import SMTPKit
import ServiceLifecycle
import SmartMailsCore
import SmartMailsStore

/// How the queue is worked.
public struct DeliveryConfiguration: Sendable {
    /// Messages in flight at once on this node.
    public var concurrency = 32
    /// Messages a second this node hands to the transport at most (`SMARTMAILS_SEND_RATE`); nil: no cap.
    public var rate: Double?
    /// How long a claim holds a message; a node that dies holding it gives it back when this runs out.
    public var lease: Duration = .seconds(300)
    /// The longest an idle worker waits before looking at the queue again (a ring of the doorbell wakes it sooner).
    public var idlePoll: Duration = .seconds(5)
    public var retry = RetrySchedule()
    /// The DKIM signatures each message carries (`SMARTMAILS_DKIM_SIGNATURES`): both by default, as RFC 8463 advises,
    /// since receivers that do not check Ed25519 yet (Gmail among them) see only the RSA one.
    public var signatures: Set<DKIMKey.Algorithm> = Set(DKIMKey.Algorithm.allCases)
    /// On SQLite the serving process is the only one delivering, so at start every lease is stale.
    public var releasesLeasesAtStart = false

    public init() {}
}

/// What happened to one attempt, for metrics.
public enum DeliveryReport: Sendable {
    case settled(MessageStatus)
    /// The message may arrive twice, for that reason.
    case possibleDuplicate(PossibleDuplicate)
}

/// Why an attempt may deliver a message a second time.
public enum PossibleDuplicate: String, Sendable {
    /// The connection closed after the whole message was sent and before the reply: it may have arrived, and it
    /// will be tried again.
    case connectionLost = "connection_lost"
    /// A lease ran out with no outcome recorded (a node died or was killed mid-send) and the message is tried again.
    case leaseExpired = "lease_expired"
}

/// Claims due messages and delivers them: checks the suppression list, composes and signs, hands each to the
/// transport, and records the outcome (delivered, deferred with its next attempt, bounced and suppressed, failed).
public struct DeliveryWorker: Service {
    let store: any MessageStore & SuppressionStore
    let transport: any MailTransport
    let keyring: SigningKeyring
    let doorbell: DeliveryDoorbell
    let configuration: DeliveryConfiguration
    let logger: Logger
    let report: @Sendable (DeliveryReport) -> Void
    /// Names this process's leases.
    let owner = "node_" + UUID().uuidString.lowercased()
    let pacer: DeliveryPacer?
    let recorder: DeliveryRecorder

    public init(
        store: any MessageStore & SuppressionStore, transport: any MailTransport, domains: DomainService, doorbell: DeliveryDoorbell,
        configuration: DeliveryConfiguration, logger: Logger, report: @escaping @Sendable (DeliveryReport) -> Void = { _ in }
    ) {
        self.store = store
        self.transport = transport
        self.keyring = SigningKeyring(domains: domains, algorithms: configuration.signatures)
        self.doorbell = doorbell
        self.configuration = configuration
        self.pacer = configuration.rate.map(DeliveryPacer.init(perSecond:))
        self.recorder = DeliveryRecorder(store: store, owner: owner, backlog: 4 * configuration.concurrency)
        self.logger = logger
        self.report = report
    }

    public func run() async throws {
        if configuration.releasesLeasesAtStart { try await store.releaseAllLeases() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await followOtherNodes() }
            await deliverUntilShutdown()
            group.cancelAll()
        }
        await transport.shutdown()
    }

    /// Keeps `concurrency` messages in flight and as many more claimed ahead, claiming a batch whenever that much
    /// room is free: each claim is a write transaction, and on SQLite claims of a few messages each kept the one writer
    /// busy. At shutdown it finishes what is in flight and returns what was claimed ahead.
    private func deliverUntilShutdown() async {
        // Under a rate cap what is claimed (in flight and ahead) is no more than a quarter of a lease's worth of sends.
        let leaseSends = configuration.rate.map { max(1, Int($0 * Double(configuration.lease.milliseconds) / 8000)) } ?? Int.max
        let concurrency = max(1, min(configuration.concurrency, leaseSends))
        var ahead: [ClaimedDelivery] = []
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                while inFlight < concurrency, !ahead.isEmpty {
                    let delivery = ahead.removeFirst()
                    group.addTask { await deliver(delivery) }
                    inFlight += 1
                }
                let room = 2 * concurrency - inFlight - ahead.count
                if room < concurrency {
                    await group.next()
                    inFlight -= 1
                    continue
                }
                let claimed: [ClaimedDelivery]
                do {
                    let now = Timestamp.now
                    claimed = try await store.claimDeliveries(
                        owner: owner, limit: room, now: now, leaseUntil: now.adding(milliseconds: configuration.lease.milliseconds)
                    )
                } catch {
                    logger.error("could not claim queued messages", metadata: ["error": "\(error)"])
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
                    continue
                }
                if claimed.isEmpty {
                    if inFlight > 0 {
                        await group.next()
                        inFlight -= 1
                    } else if ahead.isEmpty {
                        await waitForWork()
                    }
                    continue
                }
                ahead += claimed
            }
            await group.waitForAll()
        }
        await recorder.drain()
        if !ahead.isEmpty {
            do {
                try await store.releaseDeliveries(owner: owner, messageIDs: ahead.map(\.message.id), at: .now)
            } catch {
                logger.warning("could not return claimed messages at shutdown; their lease returns them", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Until the doorbell rings, the next message falls due, or `idlePoll` passes.
    private func waitForWork() async {
        var wait = configuration.idlePoll
        if let due = try? await store.nextDeliveryDue() {
            let until = Duration.milliseconds(max(0, due.millisecondsSinceEpoch - Timestamp.now.millisecondsSinceEpoch))
            wait = min(wait, until)
        }
        guard wait > .zero else { return }
        await cancelWhenGracefulShutdown { [wait] in await doorbell.wait(upTo: wait) }
    }

    /// Rings the doorbell when another node queues messages (PostgreSQL); returns at once on SQLite.
    private func followOtherNodes() async {
        while !Task.isCancelled {
            do {
                guard try await store.followQueue({ [doorbell] in doorbell.ring() }) else { return }
            } catch {
                guard !Task.isCancelled else { return }
                logger.warning("queue notifications interrupted; reconnecting", metadata: ["error": "\(error)"])
                doorbell.ring()
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func deliver(_ delivery: ClaimedDelivery) async {
        if delivery.resumesAbandonedLease { report(.possibleDuplicate(.leaseExpired)) }
        let outcome = await attempt(delivery)
        await recorder.submit(outcome) { [logger, report] result in
            switch result {
            case .success(let held):
                if !held { logger.warning("lease lost before the outcome was recorded", metadata: ["message": "\(outcome.messageID)"]) }
                report(.settled(outcome.status))
            case .failure(let error):
                // The lease runs out and the message is tried again: a possible duplicate, never a loss.
                logger.error("could not record a delivery outcome", metadata: ["message": "\(outcome.messageID)", "error": "\(error)"])
            }
        }
    }

    func attempt(_ delivery: ClaimedDelivery) async -> DeliveryOutcome {
        let message = delivery.message
        func outcome(_ status: MessageStatus, _ kind: MessageEvent.Kind, _ detail: String, next: Timestamp? = nil, suppress: [Suppression] = []) -> DeliveryOutcome {
            DeliveryOutcome(
                messageID: message.id, workspaceID: message.workspaceID, status: status,
                event: MessageEvent(kind: kind, at: .now, detail: detail, nextAttemptAt: next), suppress: suppress
            )
        }
        func deferral(_ reason: String) -> DeliveryOutcome {
            let now = Timestamp.now
            guard let next = configuration.retry.nextAttempt(after: delivery.attempt, firstAttemptAt: delivery.firstAttemptAt, now: now) else {
                return outcome(.failed, .failed, "Gave up after \(delivery.attempt) attempts: \(reason)")
            }
            return outcome(.deferred, .deferred, reason, next: next)
        }

        let recipients = message.recipients
        let suppressed: Set<String>
        let signers: [DKIMSigner]
        do {
            suppressed = try await store.suppressedAddresses(workspaceID: message.workspaceID, among: recipients.map { $0.lowercased() }, at: .now)
            signers = try await keyring.signers(workspaceID: message.workspaceID, domain: message.content.from.domain)
        } catch {
            return deferral("Could not read the suppression list or the signing keys: \(error)")
        }
        let remaining = recipients.filter { !suppressed.contains($0.lowercased()) }
        guard !remaining.isEmpty else {
            return outcome(.suppressed, .suppressed, "Every recipient is on the suppression list: \(recipients.joined(separator: ", ")).")
        }
        let skipped = suppressed.isEmpty ? "" : " Not sent to \(recipients.filter { suppressed.contains($0.lowercased()) }.joined(separator: ", ")) (suppressed)."
        let prepared: ByteBuffer
        do {
            prepared = try MessageComposer.compose(message, signers: signers, at: Date())
        } catch {
            return outcome(.failed, .failed, "The message could not be composed: \(error)")
        }
        guard message.mode == .live else {
            return outcome(
                .sandboxed, .sandboxed,
                "Composed and signed (\(prepared.readableBytes) bytes, \(signers.count) DKIM signatures); an sm_test_ key's messages are never delivered." + skipped
            )
        }
        do {
            await pacer?.admit()
            let result = try await transport.deliver(
                prepared, envelope: SMTPEnvelope(from: message.returnPath, recipients: remaining), messageID: message.id, workspaceID: message.workspaceID
            )
            let refused = result.rejectedRecipients
            let bounced = refused.filter { $0.reply.kind == .permanentFailure }
            var detail = "\(transport.name): \(result.dataReply)"
            if !refused.isEmpty { detail += " Refused: " + refused.map { "\($0.address) (\($0.reply))" }.joined(separator: "; ") + "." }
            return outcome(.delivered, .delivered, detail + skipped, suppress: suppressions(bounced.map(\.address), of: message))
        } catch let error as SMTPClientError {
            if case .connectionLost(.dataTermination) = error { report(.possibleDuplicate(.connectionLost)) }
            if error.isTransient { return deferral("\(transport.name): \(error)") }
            switch error {
            case .rejected(let stage, let reply) where stage == .rcptTo || stage == .dataInitiation || stage == .dataBlock || stage == .dataTermination:
                return outcome(.bounced, .bounced, "\(transport.name): \(reply)", suppress: suppressions(remaining, of: message))
            case .allRecipientsRejected(let results):
                let bounced = results.filter { $0.reply.kind == .permanentFailure }.map(\.address)
                return outcome(.bounced, .bounced, "\(transport.name): \(error)", suppress: suppressions(bounced, of: message))
            default:
                return outcome(.failed, .failed, "\(transport.name): \(error)")
            }
        } catch {
            return deferral("\(transport.name): \(error)")
        }
    }

    private func suppressions(_ addresses: [String], of message: Message) -> [Suppression] {
        addresses.map { Suppression(address: $0.lowercased(), reason: .hardBounce, source: message.id, expiresAt: nil, createdAt: .now) }
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
