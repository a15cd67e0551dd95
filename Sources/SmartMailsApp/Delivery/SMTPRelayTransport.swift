import Logging
import NIOCore
import SMTPKit

/// Delivers through one or more relays (`SMARTMAILS_SMTP_URL`), each with its pool of connections. A relay that
/// cannot be reached or refuses to start a session is skipped for the next; once a transaction has begun, its
/// outcome stands (trying elsewhere then could deliver twice).
public struct SMTPRelayTransport: MailTransport {
    let relays: [(name: String, pool: SMTPConnectionPool, pacer: DeliveryPacer?)]
    let logger: Logger

    public init(relays: [RelayURL.Relay], maximumConnections: Int, logger: Logger) throws {
        self.relays = try relays.map { relay in
            let server = relay.server
            let pool = try SMTPConnectionPool(server: server, configuration: .init(maximumConnections: relay.connections ?? maximumConnections))
            return ("\(server.host):\(server.port)", pool, relay.rate.map(DeliveryPacer.init(perSecond:)))
        }
        self.logger = logger
    }

    public var name: String { "smtp " + relays.map(\.name).joined(separator: ", ") }

    public func deliver(_ message: ByteBuffer, envelope: SMTPEnvelope, messageID: String, workspaceID: String) async throws -> SMTPSendResult {
        let prepared = SMTPPreparedMessage(message)
        var lastError: (any Error)?
        for (index, relay) in relays.enumerated() {
            do {
                await relay.pacer?.admit()
                return try await relay.pool.send(envelope, message: prepared)
            } catch let error as SMTPClientError where Self.neverStarted(error) && index < relays.count - 1 {
                logger.warning("relay unavailable; trying the next", metadata: ["relay": "\(relay.name)", "error": "\(error)", "message": "\(messageID)"])
                lastError = error
            }
        }
        throw lastError ?? SMTPClientError.connectionUnusable
    }

    public func shutdown() async {
        for relay in relays { await relay.pool.shutdown() }
    }

    /// Whether the failure came before any transaction began, so another relay can be tried without risk.
    static func neverStarted(_ error: SMTPClientError) -> Bool {
        switch error {
        case .network, .connectionUnusable: true
        case .timeout(let stage): [.connect, .greeting, .ehlo, .helo, .startTLS, .tlsHandshake, .auth].contains(stage)
        case .rejected(let stage, let reply): reply.kind == .transientFailure && [.greeting, .ehlo, .helo, .startTLS, .auth].contains(stage)
        case .startTLSUnsupported, .authenticationFailed, .authenticationUnsupported: true
        default: false
        }
    }
}
