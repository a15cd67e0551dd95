import NIOCore
import SMTPKit
import Testing

@Suite("SMTP client state machine")
struct SMTPClientStateMachineTests {
    typealias Machine = SMTPClientStateMachine

    static let ehloFull = SMTPReply(code: 250, lines: ["mx.test", "PIPELINING", "SIZE 10000", "8BITMIME", "SMTPUTF8", "AUTH PLAIN LOGIN", "STARTTLS"])
    static let ehloBasic = SMTPReply(code: 250, lines: ["mx.test", "SIZE 10000"])
    static let ok = SMTPReply(code: 250, "2.0.0 Ok")
    static let goAhead = SMTPReply(code: 354, "End data with <CR><LF>.<CR><LF>")
    static let message = SMTPPreparedMessage("Subject: t\r\n\r\nhello\r\n")

    /// A machine that has been greeted and answered EHLO with `ehlo`.
    static func connected(ehlo: SMTPReply = ehloFull, configuration: Machine.Configuration = .init(heloName: "client.test")) -> Machine {
        var machine = Machine(configuration: configuration)
        #expect(machine.awaitingStage == .greeting)
        #expect(machine.replyReceived(SMTPReply(code: 220, "mx.test ESMTP")) == .write([.ehlo(configuration.heloName)]))
        let action = machine.replyReceived(ehlo)
        #expect(action == .connected(SMTPCapabilities(ehloReply: ehlo)))
        #expect(machine.isReady)
        return machine
    }

    @Test func happyPathWithPipelining() {
        var machine = Self.connected()
        let envelope = SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test", "c@y.test"])
        #expect(machine.send(envelope, message: Self.message) == .write([
            .mailFrom("a@x.test", parameters: ["SIZE=\(Self.message.size)"]),
            .rcptTo("b@y.test", parameters: []),
            .rcptTo("c@y.test", parameters: []),
            .data,
        ]))
        #expect(machine.awaitingStage == .mailFrom)
        #expect(machine.replyReceived(SMTPReply(code: 250, "2.1.0 Ok")) == .none)
        #expect(machine.awaitingStage == .rcptTo)
        #expect(machine.replyReceived(SMTPReply(code: 250, "2.1.5 Ok")) == .none)
        #expect(machine.replyReceived(SMTPReply(code: 250, "2.1.5 Ok")) == .none)
        #expect(machine.awaitingStage == .dataInitiation)
        #expect(machine.replyReceived(Self.goAhead) == .writeMessage(Self.message))
        #expect(machine.awaitingStage == .dataTermination)
        let final = SMTPReply(code: 250, "2.0.0 Ok: queued as ABC")
        guard case .completeSend(.success(let result)) = machine.replyReceived(final) else {
            Issue.record("expected success")
            return
        }
        #expect(result.dataReply == final)
        #expect(result.acceptedRecipients == ["b@y.test", "c@y.test"])
        #expect(machine.isReady)
        #expect(machine.awaitingStage == nil)
    }

    @Test func withoutPipeliningCommandsGoOneByOne() {
        var machine = Self.connected(ehlo: Self.ehloBasic)
        let envelope = SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test", "c@y.test"])
        #expect(machine.send(envelope, message: Self.message) == .write([.mailFrom("a@x.test", parameters: ["SIZE=\(Self.message.size)"])]))
        #expect(machine.replyReceived(Self.ok) == .write([.rcptTo("b@y.test", parameters: [])]))
        #expect(machine.replyReceived(Self.ok) == .write([.rcptTo("c@y.test", parameters: [])]))
        #expect(machine.replyReceived(Self.ok) == .write([.data]))
        #expect(machine.replyReceived(Self.goAhead) == .writeMessage(Self.message))
        guard case .completeSend(.success) = machine.replyReceived(Self.ok) else {
            Issue.record("expected success")
            return
        }
    }

    @Test func pipeliningCanBeTurnedOff() {
        var machine = Self.connected(configuration: .init(usesPipelining: false))
        let action = machine.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: Self.message)
        #expect(action == .write([.mailFrom("a@x.test", parameters: ["SIZE=\(Self.message.size)"])]))
    }

    @Test func heloFallbackWhenEHLOIsUnknown() {
        var machine = Machine(configuration: .init(heloName: "client.test"))
        #expect(machine.replyReceived(SMTPReply(code: 220, "old.test")) == .write([.ehlo("client.test")]))
        #expect(machine.replyReceived(SMTPReply(code: 502, "5.5.2 Command not recognized")) == .write([.helo("client.test")]))
        #expect(machine.awaitingStage == .helo)
        #expect(machine.replyReceived(SMTPReply(code: 250, "old.test")) == .connected(SMTPCapabilities(isExtended: false)))
        #expect(machine.capabilities.isExtended == false)
        // No extensions: plain ASCII works, one command at a time, no SIZE parameter.
        #expect(machine.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: Self.message) == .write([.mailFrom("a@x.test", parameters: [])]))
    }

    @Test func heloRefusedFails() {
        var machine = Machine(configuration: .init())
        _ = machine.replyReceived(SMTPReply(code: 220, "old.test"))
        _ = machine.replyReceived(SMTPReply(code: 500, "no"))
        let reply = SMTPReply(code: 501, "5.5.4 bad name")
        #expect(machine.replyReceived(reply) == .close(.rejected(stage: .helo, reply: reply)))
        #expect(machine.isClosed)
    }

    @Test func greetingRefused() {
        var machine = Machine(configuration: .init())
        let reply = SMTPReply(code: 554, "5.3.2 No SMTP service here")
        #expect(machine.replyReceived(reply) == .close(.rejected(stage: .greeting, reply: reply)))
    }

    @Test func ehloTransientFailureCloses() {
        var machine = Machine(configuration: .init())
        _ = machine.replyReceived(SMTPReply(code: 220, "mx"))
        let reply = SMTPReply(code: 421, "4.3.2 shutting down")
        #expect(machine.replyReceived(reply) == .close(.rejected(stage: .ehlo, reply: reply)))
    }

    @Test func multiLineGreetingAndEHLO() throws {
        var parser = SMTPReplyParser()
        parser.append(ByteBuffer(string: "220-mx.test ESMTP\r\n220-Welcome\r\n220 Be nice\r\n"))
        let greeting = try #require(try parser.nextReply())
        var machine = Machine(configuration: .init(heloName: "c"))
        #expect(machine.replyReceived(greeting) == .write([.ehlo("c")]))
        parser.append(ByteBuffer(string: "250-mx.test\r\n250-PIPELINING\r\n250 SIZE 5\r\n"))
        let ehlo = try #require(try parser.nextReply())
        guard case .connected(let capabilities) = machine.replyReceived(ehlo) else {
            Issue.record("not connected")
            return
        }
        #expect(capabilities.supportsPipelining)
        #expect(capabilities.maximumMessageSize == 5)
    }

    @Test func partialRecipientAcceptance() {
        var machine = Self.connected()
        let envelope = SMTPEnvelope(from: "a@x.test", recipients: ["good@y.test", "bad@y.test", "later@y.test"])
        _ = machine.send(envelope, message: Self.message)
        _ = machine.replyReceived(Self.ok)
        _ = machine.replyReceived(SMTPReply(code: 250, "2.1.5 Ok"))
        let unknown = SMTPReply(code: 550, "5.1.1 <bad@y.test>: Recipient address rejected: User unknown")
        let greylisted = SMTPReply(code: 450, "4.2.0 <later@y.test>: Recipient address rejected: Greylisted")
        _ = machine.replyReceived(unknown)
        _ = machine.replyReceived(greylisted)
        #expect(machine.replyReceived(Self.goAhead) == .writeMessage(Self.message))
        guard case .completeSend(.success(let result)) = machine.replyReceived(Self.ok) else {
            Issue.record("expected success")
            return
        }
        #expect(result.acceptedRecipients == ["good@y.test"])
        #expect(result.rejectedRecipients.map(\.address) == ["bad@y.test", "later@y.test"])
        #expect(result.rejectedRecipients[0].reply.enhancedStatusCode?.description == "5.1.1")
        #expect(result.rejectedRecipients[1].reply.kind == .transientFailure)
    }

    @Test func allRecipientsRejectedWithPipelining() {
        var machine = Self.connected()
        let envelope = SMTPEnvelope(from: "a@x.test", recipients: ["bad@y.test"])
        _ = machine.send(envelope, message: Self.message)
        _ = machine.replyReceived(Self.ok)
        let unknown = SMTPReply(code: 550, "5.1.1 unknown")
        _ = machine.replyReceived(unknown)
        // The server refuses DATA since nobody was accepted; the transaction is reset before reporting.
        #expect(machine.replyReceived(SMTPReply(code: 554, "5.5.1 No valid recipients")) == .write([.rset]))
        #expect(machine.awaitingStage == .rset)
        let expected = SMTPClientError.allRecipientsRejected([SMTPRecipientResult(address: "bad@y.test", reply: unknown)])
        #expect(machine.replyReceived(Self.ok) == .completeSend(.failure(expected)))
        #expect(machine.isReady)
        #expect(!expected.isTransient)
    }

    @Test func dataAcceptedThoughNoRecipientSendsEmptyMessage() {
        var machine = Self.connected()
        _ = machine.send(SMTPEnvelope(from: "a@x.test", recipients: ["bad@y.test"]), message: Self.message)
        _ = machine.replyReceived(Self.ok)
        let unknown = SMTPReply(code: 550, "5.1.1 unknown")
        _ = machine.replyReceived(unknown)
        #expect(machine.replyReceived(Self.goAhead) == .writeMessage(SMTPPreparedMessage("")))
        let result = machine.replyReceived(Self.ok)
        #expect(result == .completeSend(.failure(.allRecipientsRejected([SMTPRecipientResult(address: "bad@y.test", reply: unknown)]))))
    }

    @Test func allRecipientsRejectedWithoutPipelining() {
        var machine = Self.connected(ehlo: Self.ehloBasic)
        _ = machine.send(SMTPEnvelope(from: "a@x.test", recipients: ["bad@y.test"]), message: Self.message)
        _ = machine.replyReceived(Self.ok)
        #expect(machine.replyReceived(SMTPReply(code: 550, "5.1.1 unknown")) == .write([.rset]))
        guard case .completeSend(.failure(.allRecipientsRejected)) = machine.replyReceived(Self.ok) else {
            Issue.record("expected refusal")
            return
        }
    }

    @Test(arguments: [451, 550])
    func mailFromRefusedWithPipelining(code: Int) {
        var machine = Self.connected()
        _ = machine.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: Self.message)
        let refusal = SMTPReply(code: code, "\(code / 100).7.1 sender refused")
        #expect(machine.replyReceived(refusal) == .none)
        #expect(machine.replyReceived(SMTPReply(code: 503, "5.5.1 need MAIL")) == .none)
        #expect(machine.replyReceived(SMTPReply(code: 503, "5.5.1 need MAIL")) == .write([.rset]))
        let expected = SMTPClientError.rejected(stage: .mailFrom, reply: refusal)
        #expect(machine.replyReceived(Self.ok) == .completeSend(.failure(expected)))
        #expect(expected.isTransient == (code == 451))
    }

    @Test(arguments: [451, 550])
    func mailFromRefusedWithoutPipelining(code: Int) {
        var machine = Self.connected(ehlo: Self.ehloBasic)
        _ = machine.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: Self.message)
        let refusal = SMTPReply(code: code, "sender refused")
        #expect(machine.replyReceived(refusal) == .completeSend(.failure(.rejected(stage: .mailFrom, reply: refusal))))
        #expect(machine.isReady)
    }

    @Test(arguments: [451, 554])
    func dataCommandRefused(code: Int) {
        var machine = Self.connected(ehlo: Self.ehloBasic)
        _ = machine.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: Self.message)
        _ = machine.replyReceived(Self.ok)
        _ = machine.replyReceived(Self.ok)
        let refusal = SMTPReply(code: code, "no data now")
        #expect(machine.replyReceived(refusal) == .write([.rset]))
        #expect(machine.replyReceived(Self.ok) == .completeSend(.failure(.rejected(stage: .dataInitiation, reply: refusal))))
    }

    @Test(arguments: [452, 552, 554])
    func finalReplyRefused(code: Int) {
        var machine = Self.connected()
        _ = machine.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: Self.message)
        _ = machine.replyReceived(Self.ok)
        _ = machine.replyReceived(Self.ok)
        _ = machine.replyReceived(Self.goAhead)
        let refusal = SMTPReply(code: code, "\(code / 100).6.0 content refused")
        #expect(machine.replyReceived(refusal) == .completeSend(.failure(.rejected(stage: .dataTermination, reply: refusal))))
        #expect(machine.isReady)
    }

    @Test(arguments: [0, 1, 2, 3])
    func serviceClosingAtAnyStageClosesTheConnection(repliesBefore: Int) {
        var machine = Self.connected()
        _ = machine.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: Self.message)
        let stages: [SMTPStage] = [.mailFrom, .rcptTo, .dataInitiation, .dataTermination]
        for reply in [Self.ok, Self.ok, Self.goAhead].prefix(repliesBefore) { _ = machine.replyReceived(reply) }
        let closing = SMTPReply(code: 421, "4.3.2 Service shutting down")
        #expect(machine.replyReceived(closing) == .close(.rejected(stage: stages[repliesBefore], reply: closing)))
        #expect(machine.isClosed)
        #expect(machine.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: Self.message) == .completeSend(.failure(.connectionUnusable)))
    }

    @Test func sizeLimitRefusesBeforeMail() {
        var machine = Self.connected(ehlo: SMTPReply(code: 250, lines: ["mx", "SIZE 20"]))
        let big = SMTPPreparedMessage(String(repeating: "x", count: 30))
        #expect(machine.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: big) == .completeSend(.failure(.messageTooLarge(size: 32, limit: 20))))
        #expect(machine.isReady)
    }

    @Test func sizeZeroMeansNoLimit() {
        var machine = Self.connected(ehlo: SMTPReply(code: 250, lines: ["mx", "SIZE 0"]))
        let big = SMTPPreparedMessage(String(repeating: "x", count: 30))
        #expect(machine.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: big) == .write([.mailFrom("a@x.test", parameters: ["SIZE=32"])]))
    }

    @Test func smtpUTF8RefusedWhenNotOffered() {
        var machine = Self.connected(ehlo: SMTPReply(code: 250, lines: ["mx", "8BITMIME", "PIPELINING"]))
        let envelope = SMTPEnvelope(from: "a@x.test", recipients: ["jörg@y.test"])
        #expect(machine.send(envelope, message: Self.message) == .completeSend(.failure(.smtpUTF8Unsupported)))
        let utf8Headers = SMTPPreparedMessage("Subject: Grüße\r\n\r\nx\r\n")
        #expect(machine.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: utf8Headers) == .completeSend(.failure(.smtpUTF8Unsupported)))
        #expect(machine.isReady)
    }

    @Test func eightBitBodyUsesBodyParameter() {
        var machine = Self.connected()
        let body = SMTPPreparedMessage("Subject: plain\r\n\r\nGrüße\r\n")
        let action = machine.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: body)
        #expect(action == .write([.mailFrom("a@x.test", parameters: ["SIZE=\(body.size)", "BODY=8BITMIME"]), .rcptTo("b@y.test", parameters: []), .data]))
    }

    @Test func smtpUTF8UsedWhenOfferedAndNeeded() {
        var machine = Self.connected()
        let action = machine.send(SMTPEnvelope(from: "jörg@x.test", recipients: ["b@y.test"]), message: Self.message)
        #expect(action == .write([.mailFrom("jörg@x.test", parameters: ["SIZE=\(Self.message.size)", "SMTPUTF8"]), .rcptTo("b@y.test", parameters: []), .data]))
    }

    @Test func eightBitRefusedWithout8BitMIME() {
        var machine = Self.connected(ehlo: Self.ehloBasic)
        let body = SMTPPreparedMessage("Subject: plain\r\n\r\nGrüße\r\n")
        #expect(machine.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: body) == .completeSend(.failure(.eightBitMIMEUnsupported)))
    }

    @Test func invalidEnvelopes() {
        var machine = Self.connected()
        guard case .completeSend(.failure(.invalidEnvelope)) = machine.send(SMTPEnvelope(from: "a@x.test", recipients: []), message: Self.message) else {
            Issue.record("empty recipients accepted")
            return
        }
        guard case .completeSend(.failure(.invalidEnvelope)) = machine.send(SMTPEnvelope(from: "a@x.test>\r\nRCPT TO:<evil@x", recipients: ["b@y"]), message: Self.message) else {
            Issue.record("injection accepted")
            return
        }
    }

    @Test func bounceUsesNullReversePath() {
        var machine = Self.connected()
        guard case .write(let commands) = machine.send(SMTPEnvelope(from: "", recipients: ["b@y.test"]), message: Self.message) else {
            Issue.record("no write")
            return
        }
        #expect(commands.first?.logDescription == "MAIL FROM:<> SIZE=\(Self.message.size)")
    }

    @Test func connectionIsReusedAfterRSET() {
        var machine = Self.connected()
        #expect(machine.command(.rset) == .write([.rset]))
        #expect(machine.replyReceived(Self.ok) == .completeCommand(.success(Self.ok)))
        for _ in 0..<3 {
            _ = machine.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: Self.message)
            _ = machine.replyReceived(Self.ok)
            _ = machine.replyReceived(Self.ok)
            _ = machine.replyReceived(Self.goAhead)
            guard case .completeSend(.success) = machine.replyReceived(Self.ok) else {
                Issue.record("send failed")
                return
            }
        }
        #expect(machine.quit() == .write([.quit]))
        #expect(machine.awaitingStage == .quit)
        #expect(machine.replyReceived(SMTPReply(code: 221, "2.0.0 Bye")) == .close(nil))
    }

    @Test func startTLSThenEHLOAgain() {
        var machine = Machine(configuration: .init(heloName: "c", tls: .startTLSRequired))
        _ = machine.replyReceived(SMTPReply(code: 220, "mx"))
        #expect(machine.replyReceived(Self.ehloFull) == .write([.startTLS]))
        #expect(machine.replyReceived(SMTPReply(code: 220, "2.0.0 Ready to start TLS")) == .startTLS)
        #expect(machine.awaitingStage == .tlsHandshake)
        #expect(machine.tlsEstablished() == .write([.ehlo("c")]))
        #expect(machine.isSecure)
        #expect(machine.replyReceived(Self.ehloBasic) == .connected(SMTPCapabilities(ehloReply: Self.ehloBasic)))
    }

    @Test func startTLSRequiredButMissing() {
        var machine = Machine(configuration: .init(tls: .startTLSRequired))
        _ = machine.replyReceived(SMTPReply(code: 220, "mx"))
        #expect(machine.replyReceived(Self.ehloBasic) == .close(.startTLSUnsupported))
    }

    @Test func startTLSIfAvailableGoesOnInClear() {
        var machine = Machine(configuration: .init(tls: .startTLSIfAvailable))
        _ = machine.replyReceived(SMTPReply(code: 220, "mx"))
        #expect(machine.replyReceived(Self.ehloBasic) == .connected(SMTPCapabilities(ehloReply: Self.ehloBasic)))
    }

    @Test func authPlainAfterTLS() {
        let credentials = SMTPCredentials(username: "user", password: "pass")
        var machine = Machine(configuration: .init(heloName: "c", tls: .implicit, credentials: credentials))
        _ = machine.replyReceived(SMTPReply(code: 220, "mx"))
        // base64("\0user\0pass")
        #expect(machine.replyReceived(Self.ehloFull) == .write([.auth(mechanism: "PLAIN", initialResponse: "AHVzZXIAcGFzcw==")]))
        #expect(machine.awaitingStage == .auth)
        #expect(machine.replyReceived(SMTPReply(code: 235, "2.7.0 Authentication successful")) == .connected(SMTPCapabilities(ehloReply: Self.ehloFull)))
    }

    @Test func authLoginSteps() {
        let credentials = SMTPCredentials(username: "user", password: "pass", mechanism: .login)
        var machine = Machine(configuration: .init(tls: .implicit, credentials: credentials))
        _ = machine.replyReceived(SMTPReply(code: 220, "mx"))
        #expect(machine.replyReceived(Self.ehloFull) == .write([.auth(mechanism: "LOGIN", initialResponse: nil)]))
        #expect(machine.replyReceived(SMTPReply(code: 334, "VXNlcm5hbWU6")) == .write([.authResponse("dXNlcg==")]))
        #expect(machine.replyReceived(SMTPReply(code: 334, "UGFzc3dvcmQ6")) == .write([.authResponse("cGFzcw==")]))
        let refusal = SMTPReply(code: 535, "5.7.8 Authentication credentials invalid")
        #expect(machine.replyReceived(refusal) == .close(.authenticationFailed(refusal)))
    }

    @Test func authRefusesClearTextUnlessAllowed() {
        let credentials = SMTPCredentials(username: "u", password: "p")
        var machine = Machine(configuration: .init(credentials: credentials))
        _ = machine.replyReceived(SMTPReply(code: 220, "mx"))
        #expect(machine.replyReceived(Self.ehloFull) == .close(.authenticationRequiresTLS))

        var allowed = Machine(configuration: .init(credentials: credentials, allowsInsecureAuthentication: true))
        _ = allowed.replyReceived(SMTPReply(code: 220, "mx"))
        guard case .write(let commands) = allowed.replyReceived(Self.ehloFull), case .auth(mechanism: "PLAIN", _) = commands.first else {
            Issue.record("no AUTH")
            return
        }
    }

    @Test func authUnsupported() {
        var machine = Machine(configuration: .init(tls: .implicit, credentials: SMTPCredentials(username: "u", password: "p")))
        _ = machine.replyReceived(SMTPReply(code: 220, "mx"))
        #expect(machine.replyReceived(Self.ehloBasic) == .close(.authenticationUnsupported(offered: [])))
    }

    @Test func timeoutsAndDisconnects() {
        var machine = Self.connected()
        _ = machine.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: Self.message)
        #expect(machine.timeoutFired() == .close(.timeout(.mailFrom)))
        #expect(machine.channelInactive() == .none)

        var other = Self.connected()
        _ = other.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: Self.message)
        _ = other.replyReceived(Self.ok)
        _ = other.replyReceived(Self.ok)
        _ = other.replyReceived(Self.goAhead)
        #expect(other.channelInactive() == .close(.connectionLost(awaiting: .dataTermination)))
        #expect(SMTPClientError.timeout(.dataTermination).isTransient)
    }

    @Test func unsolicitedReplyWhileIdleCloses() {
        var machine = Self.connected()
        let closing = SMTPReply(code: 421, "4.4.2 idle too long")
        #expect(machine.replyReceived(closing) == .close(.rejected(stage: .idle, reply: closing)))
    }
}
