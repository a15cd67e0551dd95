/// The SMTP client protocol as a pure state machine: server replies and user requests go in, actions come out.
///
/// It owns no socket and no timer, so every path is tested by feeding it replies; `SMTPClientHandler` carries out its actions.
public struct SMTPClientStateMachine: Sendable {
    /// What the session should do about TLS.
    public enum TLSBehaviour: Sendable, Hashable {
        /// Stay in clear text.
        case none
        /// Upgrade with STARTTLS, and fail if the server does not offer it.
        case startTLSRequired
        /// Upgrade with STARTTLS when offered, else go on in clear text.
        case startTLSIfAvailable
        /// The connection is TLS from its first byte (port 465).
        case implicit
    }

    /// What the state machine needs to know about the session it runs.
    public struct Configuration: Sendable, Hashable {
        public var heloName: String
        public var tls: TLSBehaviour
        public var credentials: SMTPCredentials?
        /// Lets AUTH send credentials without TLS; for tests and trusted local relays only.
        public var allowsInsecureAuthentication: Bool
        /// Sends MAIL, the RCPTs and DATA in one write when the server offers PIPELINING.
        public var usesPipelining: Bool

        public init(
            heloName: String = "localhost",
            tls: TLSBehaviour = .none,
            credentials: SMTPCredentials? = nil,
            allowsInsecureAuthentication: Bool = false,
            usesPipelining: Bool = true
        ) {
            self.heloName = heloName
            self.tls = tls
            self.credentials = credentials
            self.allowsInsecureAuthentication = allowsInsecureAuthentication
            self.usesPipelining = usesPipelining
        }
    }

    /// What the driver must do after an event.
    public enum Action: Sendable, Hashable {
        case none
        /// Write these commands in one go and flush.
        case write([SMTPCommand])
        /// Write the message's wire bytes and the terminating dot line, then flush.
        case writeMessage(SMTPPreparedMessage)
        /// Put TLS in front of the pipeline and report `tlsEstablished()` when the handshake is done.
        case startTLS
        /// The session is ready for messages.
        case connected(SMTPCapabilities)
        /// The message transaction finished; the connection stays usable.
        case completeSend(Result<SMTPSendResult, SMTPClientError>)
        /// A RSET or NOOP asked by the user finished.
        case completeCommand(Result<SMTPReply, SMTPClientError>)
        /// Close the connection; fail whatever is pending with the error, or complete a QUIT when there is none.
        case close(SMTPClientError?)
    }

    private enum AuthStep: Sendable, Hashable {
        case plain(retried: Bool)
        case loginUsername
        case loginPassword
        case loginFinal
    }

    private struct Transaction: Sendable, Hashable {
        var envelope: SMTPEnvelope
        var message: SMTPPreparedMessage
        var pipelined: Bool
        var mailReply: SMTPReply?
        var recipientReplies: [SMTPReply] = []
        /// Set once the body (or an empty body) is on its way; the next reply is the final one.
        var awaitingFinalReply = false
        /// Why the transaction fails even if the final reply is positive (354 came though nobody was accepted).
        var doomedBy: SMTPClientError?

        var results: [SMTPRecipientResult] {
            zip(self.envelope.recipients, self.recipientReplies).map { SMTPRecipientResult(address: $0, reply: $1) }
        }

        var stage: SMTPStage {
            if self.awaitingFinalReply { return .dataTermination }
            if self.mailReply == nil { return .mailFrom }
            if self.recipientReplies.count < self.envelope.recipients.count { return .rcptTo }
            return .dataInitiation
        }

        /// The error that explains a failed transaction from the replies so far.
        func failure(dataReply: SMTPReply?) -> SMTPClientError {
            if let mail = self.mailReply, !mail.isSuccess { return .rejected(stage: .mailFrom, reply: mail) }
            if !self.recipientReplies.contains(where: \.isSuccess) { return .allRecipientsRejected(self.results) }
            if let dataReply { return .rejected(stage: .dataInitiation, reply: dataReply) }
            return .protocolViolation("transaction failed without a reason")
        }
    }

    private enum State: Sendable, Hashable {
        case awaitingGreeting
        case awaitingEHLO(afterTLS: Bool)
        case awaitingHELO
        case awaitingStartTLS
        case tlsHandshake
        case authenticating(AuthStep)
        case ready
        case transaction(Transaction)
        /// RSET after a failed transaction; the send fails with this error once the server answers.
        case resettingAfter(SMTPClientError)
        case userCommand(SMTPStage)
        case quitting
        case closed
    }

    public let configuration: Configuration
    private var state: State = .awaitingGreeting
    /// What the server offers, known once EHLO (or HELO) has been answered.
    public private(set) var capabilities = SMTPCapabilities(isExtended: false)
    /// True once TLS is in place, by STARTTLS or implicitly.
    public private(set) var isSecure: Bool

    public init(configuration: Configuration) {
        self.configuration = configuration
        self.isSecure = configuration.tls == .implicit
    }

    /// True between transactions, when a message may be sent.
    public var isReady: Bool { self.state == .ready }

    /// True once the session is over, by QUIT, error or close.
    public var isClosed: Bool { self.state == .closed }

    /// The stage whose timeout applies now, or nil when no reply is awaited.
    public var awaitingStage: SMTPStage? {
        switch self.state {
        case .awaitingGreeting: return .greeting
        case .awaitingEHLO: return .ehlo
        case .awaitingHELO: return .helo
        case .awaitingStartTLS: return .startTLS
        case .tlsHandshake: return .tlsHandshake
        case .authenticating: return .auth
        case .transaction(let transaction): return transaction.stage
        case .resettingAfter: return .rset
        case .userCommand(let stage): return stage
        case .quitting: return .quit
        case .ready, .closed: return nil
        }
    }

    // MARK: Events from the server

    public mutating func replyReceived(_ reply: SMTPReply) -> Action {
        switch self.state {
        case .awaitingGreeting:
            guard reply.code == 220 else { return self.close(.rejected(stage: .greeting, reply: reply)) }
            self.state = .awaitingEHLO(afterTLS: false)
            return .write([.ehlo(self.configuration.heloName)])

        case .awaitingEHLO(let afterTLS):
            if reply.isSuccess {
                self.capabilities = SMTPCapabilities(ehloReply: reply)
                return self.negotiate()
            }
            // A server that does not know EHLO says 500/502; only then is HELO worth a try.
            if reply.kind == .permanentFailure && !afterTLS && reply.code != 554 {
                self.state = .awaitingHELO
                return .write([.helo(self.configuration.heloName)])
            }
            return self.close(.rejected(stage: .ehlo, reply: reply))

        case .awaitingHELO:
            guard reply.isSuccess else { return self.close(.rejected(stage: .helo, reply: reply)) }
            self.capabilities = SMTPCapabilities(isExtended: false)
            return self.negotiate()

        case .awaitingStartTLS:
            if reply.code == 220 {
                self.state = .tlsHandshake
                return .startTLS
            }
            if reply.code != 421 && self.configuration.tls == .startTLSIfAvailable {
                return self.authenticateOrFinish()
            }
            return self.close(.rejected(stage: .startTLS, reply: reply))

        case .tlsHandshake:
            return self.close(.protocolViolation("reply \(reply.code) during the TLS handshake"))

        case .authenticating(let step):
            return self.authReplyReceived(reply, step: step)

        case .ready:
            return self.close(.rejected(stage: .idle, reply: reply))

        case .transaction(let transaction):
            return self.transactionReplyReceived(reply, transaction: transaction)

        case .resettingAfter(let error):
            guard reply.isSuccess else { return self.close(error) }
            self.state = .ready
            return .completeSend(.failure(error))

        case .userCommand(let stage):
            if reply.code == 421 { return self.close(.rejected(stage: stage, reply: reply)) }
            self.state = .ready
            return .completeCommand(reply.isSuccess ? .success(reply) : .failure(.rejected(stage: stage, reply: reply)))

        case .quitting:
            return self.close(nil)

        case .closed:
            return .none
        }
    }

    public mutating func tlsEstablished() -> Action {
        guard self.state == .tlsHandshake else { return .none }
        self.isSecure = true
        // RFC 3207: everything learnt before TLS is forgotten and EHLO is asked again.
        self.capabilities = SMTPCapabilities(isExtended: false)
        self.state = .awaitingEHLO(afterTLS: true)
        return .write([.ehlo(self.configuration.heloName)])
    }

    public mutating func timeoutFired(stage: SMTPStage? = nil) -> Action {
        guard let current = stage ?? self.awaitingStage else { return .none }
        return self.close(.timeout(current))
    }

    public mutating func errorCaught(_ error: SMTPClientError) -> Action {
        if self.state == .closed { return .none }
        return self.close(error)
    }

    public mutating func channelInactive() -> Action {
        switch self.state {
        case .closed: return .none
        case .quitting: return self.close(nil)
        default: return self.close(self.awaitingStage.map { .connectionLost(awaiting: $0) } ?? .connectionClosed)
        }
    }

    // MARK: Requests from the user

    public mutating func send(_ envelope: SMTPEnvelope, message: SMTPPreparedMessage) -> Action {
        guard self.state == .ready else {
            return .completeSend(.failure(self.state == .closed ? .connectionUnusable : .protocolViolation("a command is already in progress")))
        }
        do {
            try envelope.validate()
        } catch {
            return .completeSend(.failure(error))
        }
        let needsUTF8 = envelope.needsSMTPUTF8 || message.headersNeedSMTPUTF8
        if needsUTF8 && !self.capabilities.supportsSMTPUTF8 { return .completeSend(.failure(.smtpUTF8Unsupported)) }
        if message.has8BitData && !self.capabilities.supports8BitMIME { return .completeSend(.failure(.eightBitMIMEUnsupported)) }
        if let limit = self.capabilities.maximumMessageSize, message.size > limit {
            return .completeSend(.failure(.messageTooLarge(size: message.size, limit: limit)))
        }

        var parameters: [String] = []
        if self.capabilities.supportsSize { parameters.append("SIZE=\(message.size)") }
        if message.has8BitData { parameters.append("BODY=8BITMIME") }
        if needsUTF8 { parameters.append("SMTPUTF8") }
        let mail = SMTPCommand.mailFrom(envelope.from, parameters: parameters)

        let pipelined = self.configuration.usesPipelining && self.capabilities.supportsPipelining
        self.state = .transaction(Transaction(envelope: envelope, message: message, pipelined: pipelined))
        guard pipelined else { return .write([mail]) }
        var commands = [mail]
        commands.reserveCapacity(envelope.recipients.count + 2)
        for recipient in envelope.recipients { commands.append(.rcptTo(recipient, parameters: [])) }
        commands.append(.data)
        return .write(commands)
    }

    /// Asks for RSET (stage `.rset`) or NOOP (stage `.noop`) between transactions.
    public mutating func command(_ stage: SMTPStage) -> Action {
        guard self.state == .ready else {
            return .completeCommand(.failure(self.state == .closed ? .connectionUnusable : .protocolViolation("a command is already in progress")))
        }
        switch stage {
        case .rset:
            self.state = .userCommand(.rset)
            return .write([.rset])
        case .noop:
            self.state = .userCommand(.noop)
            return .write([.noop])
        default:
            return .completeCommand(.failure(.protocolViolation("\(stage) is not a user command")))
        }
    }

    public mutating func quit() -> Action {
        switch self.state {
        case .ready:
            self.state = .quitting
            return .write([.quit])
        case .closed, .quitting:
            return .none
        default:
            // In the middle of something: QUIT would be answered out of order, so just hang up.
            return self.close(.connectionClosed)
        }
    }

    // MARK: Session set-up

    /// After EHLO or HELO: TLS first, then AUTH, then ready.
    private mutating func negotiate() -> Action {
        if !self.isSecure {
            switch self.configuration.tls {
            case .startTLSRequired, .startTLSIfAvailable:
                if self.capabilities.supportsStartTLS {
                    self.state = .awaitingStartTLS
                    return .write([.startTLS])
                }
                if self.configuration.tls == .startTLSRequired { return self.close(.startTLSUnsupported) }
            case .none, .implicit:
                break
            }
        }
        return self.authenticateOrFinish()
    }

    private mutating func authenticateOrFinish() -> Action {
        guard let credentials = self.configuration.credentials else {
            self.state = .ready
            return .connected(self.capabilities)
        }
        if !self.isSecure && !self.configuration.allowsInsecureAuthentication {
            return self.close(.authenticationRequiresTLS)
        }
        let offered = self.capabilities.authMechanisms
        let usePlain: Bool
        switch credentials.mechanism {
        case .automatic where offered.contains("PLAIN"), .plain where offered.contains("PLAIN"): usePlain = true
        case .automatic where offered.contains("LOGIN"), .login where offered.contains("LOGIN"): usePlain = false
        default: return self.close(.authenticationUnsupported(offered: offered))
        }
        if usePlain {
            self.state = .authenticating(.plain(retried: false))
            return .write([.auth(mechanism: "PLAIN", initialResponse: self.plainResponse(credentials))])
        }
        self.state = .authenticating(.loginUsername)
        return .write([.auth(mechanism: "LOGIN", initialResponse: nil)])
    }

    private func plainResponse(_ credentials: SMTPCredentials) -> String {
        SMTPBase64.encode([0] + Array(credentials.username.utf8) + [0] + Array(credentials.password.utf8))
    }

    private mutating func authReplyReceived(_ reply: SMTPReply, step: AuthStep) -> Action {
        guard let credentials = self.configuration.credentials else { return self.close(.protocolViolation("AUTH without credentials")) }
        if reply.code == 421 { return self.close(.rejected(stage: .auth, reply: reply)) }
        switch (step, reply.code) {
        case (.plain, 235), (.loginFinal, 235):
            self.state = .ready
            return .connected(self.capabilities)
        case (.plain(retried: false), 334):
            // The server ignored the initial response and asks for it now.
            self.state = .authenticating(.plain(retried: true))
            return .write([.authResponse(self.plainResponse(credentials))])
        case (.loginUsername, 334):
            self.state = .authenticating(.loginPassword)
            return .write([.authResponse(SMTPBase64.encode(credentials.username))])
        case (.loginPassword, 334):
            self.state = .authenticating(.loginFinal)
            return .write([.authResponse(SMTPBase64.encode(credentials.password))])
        default:
            return self.close(.authenticationFailed(reply))
        }
    }

    // MARK: Message transaction

    private mutating func transactionReplyReceived(_ reply: SMTPReply, transaction: Transaction) -> Action {
        var transaction = transaction
        if reply.code == 421 { return self.close(.rejected(stage: transaction.stage, reply: reply)) }

        if transaction.awaitingFinalReply {
            self.state = .ready
            if let doomed = transaction.doomedBy { return .completeSend(.failure(doomed)) }
            guard reply.isSuccess else { return .completeSend(.failure(.rejected(stage: .dataTermination, reply: reply))) }
            return .completeSend(.success(SMTPSendResult(recipients: transaction.results, dataReply: reply)))
        }

        if transaction.mailReply == nil {
            transaction.mailReply = reply
            if !transaction.pipelined {
                // No transaction was opened, so there is nothing to reset.
                guard reply.isSuccess else {
                    self.state = .ready
                    return .completeSend(.failure(.rejected(stage: .mailFrom, reply: reply)))
                }
                self.state = .transaction(transaction)
                return .write([.rcptTo(transaction.envelope.recipients[0], parameters: [])])
            }
            self.state = .transaction(transaction)
            return .none
        }

        let recipientCount = transaction.envelope.recipients.count
        if transaction.recipientReplies.count < recipientCount {
            transaction.recipientReplies.append(reply)
            self.state = .transaction(transaction)
            guard !transaction.pipelined else { return .none }
            if transaction.recipientReplies.count < recipientCount {
                return .write([.rcptTo(transaction.envelope.recipients[transaction.recipientReplies.count], parameters: [])])
            }
            if transaction.recipientReplies.contains(where: \.isSuccess) { return .write([.data]) }
            self.state = .resettingAfter(transaction.failure(dataReply: nil))
            return .write([.rset])
        }

        // The reply to DATA.
        let everythingAccepted = transaction.mailReply?.isSuccess == true && transaction.recipientReplies.contains(where: \.isSuccess)
        if reply.code == 354 {
            transaction.awaitingFinalReply = true
            if everythingAccepted {
                self.state = .transaction(transaction)
                return .writeMessage(transaction.message)
            }
            // A pipelining server should have refused DATA; end the empty message it now expects (RFC 2920 §3.1).
            transaction.doomedBy = transaction.failure(dataReply: nil)
            self.state = .transaction(transaction)
            return .writeMessage(SMTPPreparedMessage(""))
        }
        self.state = .resettingAfter(transaction.failure(dataReply: reply))
        return .write([.rset])
    }

    private mutating func close(_ error: SMTPClientError?) -> Action {
        self.state = .closed
        return .close(error)
    }
}
