import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Hummingbird's `HTTP1Channel` with `HTTP1ServerCodec` as its edge. The rest is as Hummingbird builds it: NIO's
/// request decoder with the same limits (80 KB per field and in all, 1,000 fields), Hummingbird's connection-state
/// handler (graceful shutdown) and its request loop reading an async channel.
struct HTTP1ServerChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
            try pipeline.addHandler(HTTP1ServerCodec())
            try pipeline.addHandler(HTTPConnectionStateHandler(logger: logger))
            return try NIOAsyncChannel(
                wrappingChannelSynchronously: channel,
                configuration: .init(isOutboundHalfClosureEnabled: true)
            )
        }
    }

    func handle(value asyncChannel: Value, logger: Logger) async {
        await self.handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with the server's own response writer (see `HTTP1ServerCodec`).
    static var smartMailsHTTP1: HTTPServerBuilder {
        HTTPServerBuilder { responder in HTTP1ServerChannel(responder: responder) }
    }
}
