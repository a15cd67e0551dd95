import NIOCore
import NIOSSL
import NIOTLS

/// The thin NIO driver of `SMTPClientStateMachine`: it parses replies, feeds them in, and carries out the actions (writes, TLS, timers, promises).
final class SMTPClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private static let terminator = ByteBuffer(string: ".\r\n")
    private static let terminatorAfterPartialLine = ByteBuffer(string: "\r\n.\r\n")

    private var stateMachine: SMTPClientStateMachine
    private var parser = SMTPReplyParser()
    private let timeouts: SMTPTimeouts
    private let sslContext: NIOSSLContext?
    private let serverHostname: String?
    private let health: SMTPConnectionHealth
    private var connectPromise: EventLoopPromise<SMTPCapabilities>?
    private var current: SMTPClientRequest?
    private var queued = CircularBuffer<SMTPClientRequest>()
    private var context: ChannelHandlerContext?

    // One scheduled task serves many deadlines: moving the deadline is cheap, rescheduling on every reply is not.
    private var deadline: NIODeadline?
    private var deadlineStage: SMTPStage?
    private var timer: Scheduled<Void>?
    private var timerFiresAt: NIODeadline?
    private var writingBody = false

    init(
        configuration: SMTPClientStateMachine.Configuration,
        timeouts: SMTPTimeouts,
        sslContext: NIOSSLContext?,
        serverHostname: String?,
        health: SMTPConnectionHealth,
        connectPromise: EventLoopPromise<SMTPCapabilities>
    ) {
        self.stateMachine = SMTPClientStateMachine(configuration: configuration)
        self.timeouts = timeouts
        self.sslContext = sslContext
        self.serverHostname = serverHostname
        self.health = health
        self.connectPromise = connectPromise
    }

    // MARK: Requests

    /// Takes a user request; must run on the channel's event loop.
    func enqueue(_ request: SMTPClientRequest) {
        guard self.context != nil, !self.stateMachine.isClosed else {
            request.fail(.connectionUnusable)
            return
        }
        self.queued.append(request)
        self.startNextIfIdle()
    }

    private func startNextIfIdle() {
        while self.current == nil, self.stateMachine.isReady, let request = self.queued.popFirst() {
            self.current = request
            switch request {
            case .send(let envelope, let message, _): self.run(self.stateMachine.send(envelope, message: message))
            case .command(let stage, _): self.run(self.stateMachine.command(stage))
            case .quit: self.run(self.stateMachine.quit())
            }
        }
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { self.updateTimer() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // A channel that never became active (connection refused) is torn down without channelInactive.
        self.failPending(.connectionClosed, quitSucceeds: false)
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        self.updateTimer()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.parser.append(self.unwrapInboundIn(data))
        do {
            while let reply = try self.parser.nextReply() {
                self.run(self.stateMachine.replyReceived(reply))
                if self.stateMachine.isClosed { return }
            }
        } catch {
            self.run(self.stateMachine.errorCaught(error))
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            self.run(self.stateMachine.tlsEstablished())
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let smtpError = (error as? SMTPClientError) ?? .network(String(describing: error))
        self.run(self.stateMachine.errorCaught(smtpError))
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.run(self.stateMachine.channelInactive())
        context.fireChannelInactive()
    }

    // MARK: Actions

    private func run(_ action: SMTPClientStateMachine.Action) {
        guard let context = self.context else { return }
        switch action {
        case .none:
            break
        case .write(let commands):
            var buffer = context.channel.allocator.buffer(capacity: 48 * commands.count)
            for command in commands { command.write(into: &buffer) }
            context.writeAndFlush(NIOAny(buffer), promise: nil)
        case .writeMessage(let message):
            self.writeMessage(message, context: context)
        case .startTLS:
            self.startTLS(context: context)
        case .connected(let capabilities):
            self.connectPromise?.succeed(capabilities)
            self.connectPromise = nil
            self.startNextIfIdle()
        case .completeSend(let result):
            guard case .send(_, _, let promise) = self.current else { break }
            self.current = nil
            promise.completeWith(result.mapError { $0 as any Error })
            self.startNextIfIdle()
        case .completeCommand(let result):
            guard case .command(_, let promise) = self.current else { break }
            self.current = nil
            promise.completeWith(result.mapError { $0 as any Error })
            self.startNextIfIdle()
        case .close(let error):
            self.closeAndFailPending(error, context: context)
            return
        }
        self.updateTimer()
    }

    private func writeMessage(_ message: SMTPPreparedMessage, context: ChannelHandlerContext) {
        context.write(NIOAny(message.wireBytes), promise: nil)
        let terminator = message.endsWithLineBreak ? Self.terminator : Self.terminatorAfterPartialLine
        self.writingBody = true
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(NIOAny(terminator), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in
            self.writingBody = false
            self.updateTimer()
        }
    }

    private func startTLS(context: ChannelHandlerContext) {
        // Bytes that came with the 220 were sent before TLS and must not be trusted as if after it (CVE-2011-0411).
        guard !self.parser.hasBufferedBytes else {
            self.run(self.stateMachine.errorCaught(.protocolViolation("data after the STARTTLS reply")))
            return
        }
        do {
            guard let sslContext = self.sslContext else { throw SMTPClientError.network("no TLS context for STARTTLS") }
            let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: self.serverHostname)
            try context.pipeline.syncOperations.addHandler(tls, position: .first)
        } catch {
            self.run(self.stateMachine.errorCaught((error as? SMTPClientError) ?? .network("TLS: \(error)")))
        }
    }

    private func closeAndFailPending(_ error: SMTPClientError?, context: ChannelHandlerContext) {
        self.failPending(error ?? .connectionClosed, quitSucceeds: error == nil)
        context.close(promise: nil)
    }

    private func failPending(_ error: SMTPClientError, quitSucceeds: Bool) {
        self.cancelTimer()
        self.health.markUnusable()
        self.connectPromise?.fail(error)
        self.connectPromise = nil
        if let current = self.current {
            self.current = nil
            if case .quit(let promise) = current, quitSucceeds { promise.succeed() } else { current.fail(error) }
        }
        while let request = self.queued.popFirst() { request.fail(.connectionUnusable) }
    }

    // MARK: Timer

    private func updateTimer() {
        guard let context = self.context else { return }
        guard let stage = self.writingBody ? .dataBlock : self.stateMachine.awaitingStage else {
            self.deadline = nil
            return
        }
        let deadline = NIODeadline.now() + self.timeouts.timeout(for: stage)
        self.deadline = deadline
        self.deadlineStage = stage
        if let firesAt = self.timerFiresAt, firesAt <= deadline { return }
        self.timer?.cancel()
        self.schedule(at: deadline, context: context)
    }

    private func schedule(at deadline: NIODeadline, context: ChannelHandlerContext) {
        self.timerFiresAt = deadline
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.timerFired()
        }
    }

    private func timerFired() {
        self.timer = nil
        self.timerFiresAt = nil
        guard let deadline = self.deadline, let context = self.context else { return }
        if NIODeadline.now() >= deadline {
            self.run(self.stateMachine.timeoutFired(stage: self.deadlineStage))
        } else {
            self.schedule(at: deadline, context: context)
        }
    }

    private func cancelTimer() {
        self.deadline = nil
        self.timer?.cancel()
        self.timer = nil
        self.timerFiresAt = nil
    }
}
