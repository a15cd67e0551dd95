import NIOCore
import NIOPosix
import Synchronization

/// A small SMTP server (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, with PIPELINING, SIZE, 8BITMIME and SMTPUTF8) for bounce intake and tests.
///
/// Each message goes to an async handler whose answer becomes the reply to the data, so callers decide between 250, 451 and 550.
public final class SMTPServer: Sendable {
    /// Where to listen and what to accept.
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port; read the bound one from `SMTPServer.port`.
        public var port: Int
        /// The name in the greeting and the EHLO reply.
        public var hostname: String
        /// Advertised as SIZE; larger messages get 552.
        public var maximumMessageSize: Int
        public var maximumRecipients: Int
        /// A client silent this long is told 421 and disconnected.
        public var idleTimeout: TimeAmount

        public init(
            host: String = "127.0.0.1",
            port: Int = 0,
            hostname: String = "localhost",
            maximumMessageSize: Int = 25 * 1024 * 1024,
            maximumRecipients: Int = 100,
            idleTimeout: TimeAmount = .minutes(5)
        ) {
            self.host = host
            self.port = port
            self.hostname = hostname
            self.maximumMessageSize = maximumMessageSize
            self.maximumRecipients = maximumRecipients
            self.idleTimeout = idleTimeout
        }
    }

    public typealias MessageHandler = @Sendable (SMTPReceivedMessage) async -> SMTPServerResponse
    public typealias RecipientHandler = @Sendable (String) -> SMTPServerResponse

    /// The port the server listens on.
    public let port: Int
    private let serverChannel: any Channel
    private let children: SMTPServerSessions

    private init(port: Int, serverChannel: any Channel, children: SMTPServerSessions) {
        self.port = port
        self.serverChannel = serverChannel
        self.children = children
    }

    /// Binds and starts accepting; `recipientHandler` may refuse recipients one by one (all are accepted without it).
    public static func start(
        configuration: Configuration = Configuration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        recipientHandler: RecipientHandler? = nil,
        messageHandler: @escaping MessageHandler
    ) async throws -> SMTPServer {
        let children = SMTPServerSessions()
        let channel = try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let id = ObjectIdentifier(channel)
                children.channels.withLock { $0[id] = channel }
                channel.closeFuture.whenComplete { _ in _ = children.channels.withLock { $0.removeValue(forKey: id) } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: configuration.idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(
                        SMTPServerHandler(configuration: configuration, recipientHandler: recipientHandler, messageHandler: messageHandler)
                    )
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw SMTPClientError.network("server bound without a port")
        }
        return SMTPServer(port: port, serverChannel: channel, children: children)
    }

    /// Stops listening and closes every open session.
    public func shutdown() async {
        try? await self.serverChannel.close()
        let open = self.children.channels.withLock { Array($0.values) }
        for channel in open {
            try? await channel.close()
        }
    }
}

/// The open sessions of a server, so that shutdown can close them.
final class SMTPServerSessions: Sendable {
    let channels = Mutex<[ObjectIdentifier: any Channel]>([:])
}
