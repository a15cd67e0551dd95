import NIOCore
import NIOPosix
import NIOSSL

/// One SMTP session with a server, ready for messages once `connect` returns; sends are queued and run one at a time.
///
/// ```swift
/// let connection = try await SMTPConnection.connect(to: SMTPServerConfiguration(host: "smtp.example.com"))
/// let result = try await connection.send(SMTPEnvelope(from: "a@example.com", recipients: ["b@example.org"]), message: bytes)
/// try await connection.close()
/// ```
public final class SMTPConnection: Sendable {
    /// The extensions the server offered after TLS and before AUTH.
    public let capabilities: SMTPCapabilities
    private let channel: any Channel
    private let handler: NIOLoopBound<SMTPClientHandler>
    private let health: SMTPConnectionHealth

    private init(capabilities: SMTPCapabilities, channel: any Channel, handler: NIOLoopBound<SMTPClientHandler>, health: SMTPConnectionHealth) {
        self.capabilities = capabilities
        self.channel = channel
        self.handler = handler
        self.health = health
    }

    deinit {
        // A connection dropped without close() must not keep its socket.
        if self.channel.isActive { self.channel.close(promise: nil) }
    }

    /// Connects, reads the greeting, says EHLO, upgrades to TLS and authenticates as configured.
    public static func connect(
        to configuration: SMTPServerConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> SMTPConnection {
        try await self.connect(to: configuration, sslContext: configuration.makeSSLContext(), eventLoopGroup: eventLoopGroup)
    }

    static func connect(
        to configuration: SMTPServerConfiguration,
        sslContext: NIOSSLContext?,
        eventLoopGroup: any EventLoopGroup
    ) async throws -> SMTPConnection {
        let health = SMTPConnectionHealth()
        let eventLoop = eventLoopGroup.next()
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.timeouts.connect)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        let opened: (any Channel, NIOLoopBound<SMTPClientHandler>, EventLoopFuture<SMTPCapabilities>)
        do {
            opened = try await bootstrap.connect(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let connectPromise = channel.eventLoop.makePromise(of: SMTPCapabilities.self)
                    if configuration.security == .implicitTLS, let sslContext {
                        let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: configuration.serverHostname)
                        try channel.pipeline.syncOperations.addHandler(tls)
                    }
                    let handler = SMTPClientHandler(
                        configuration: configuration.stateMachineConfiguration,
                        timeouts: configuration.timeouts,
                        sslContext: sslContext,
                        serverHostname: configuration.serverHostname,
                        health: health,
                        connectPromise: connectPromise
                    )
                    try channel.pipeline.syncOperations.addHandler(handler)
                    return (channel, NIOLoopBound(handler, eventLoop: channel.eventLoop), connectPromise.futureResult)
                }
            }
        } catch let error as ChannelError where error == .connectTimeout(configuration.timeouts.connect) {
            throw SMTPClientError.timeout(.connect)
        } catch {
            throw (error as? SMTPClientError) ?? .network("cannot connect to \(configuration.host):\(configuration.port): \(error)")
        }
        let (channel, handler, ready) = opened
        do {
            let capabilities = try await ready.get()
            return SMTPConnection(capabilities: capabilities, channel: channel, handler: handler, health: health)
        } catch {
            try? await channel.close()
            throw (error as? SMTPClientError) ?? .network(String(describing: error))
        }
    }

    /// False once the connection saw a network error, a timeout or a 421, or was closed: it must not carry more mail.
    public var isUsable: Bool { self.health.isUsable }

    /// Sends one message to the envelope's recipients; the bytes are dot-stuffed and CRLF-normalised on the way.
    public func send(_ envelope: SMTPEnvelope, message: ByteBuffer) async throws -> SMTPSendResult {
        try await self.send(envelope, message: SMTPPreparedMessage(message))
    }

    /// Sends one prepared message; throws `SMTPClientError`, and returns per-recipient replies when at least one was accepted.
    public func send(_ envelope: SMTPEnvelope, message: SMTPPreparedMessage) async throws -> SMTPSendResult {
        let promise = self.channel.eventLoop.makePromise(of: SMTPSendResult.self)
        self.submit(.send(envelope, message, promise))
        return try await promise.futureResult.get()
    }

    /// RSET: abandons any half-done transaction on the server.
    @discardableResult
    public func reset() async throws -> SMTPReply {
        let promise = self.channel.eventLoop.makePromise(of: SMTPReply.self)
        self.submit(.command(.rset, promise))
        return try await promise.futureResult.get()
    }

    /// NOOP: checks that the server still answers.
    @discardableResult
    public func noop() async throws -> SMTPReply {
        let promise = self.channel.eventLoop.makePromise(of: SMTPReply.self)
        self.submit(.command(.noop, promise))
        return try await promise.futureResult.get()
    }

    /// Says QUIT and closes the socket; safe to call more than once and on a broken connection.
    public func close() async throws {
        let promise = self.channel.eventLoop.makePromise(of: Void.self)
        self.submit(.quit(promise))
        try? await promise.futureResult.get()
        self.health.markUnusable()
        try? await self.channel.close()
    }

    private func submit(_ request: SMTPClientRequest) {
        let handler = self.handler
        self.channel.eventLoop.execute { handler.value.enqueue(request) }
    }
}
