import Hummingbird
import HummingbirdCore
import NIOCore

extension HTTPServerBuilder {
    /// Hummingbird's HTTP/1 server with an idle timeout: a connection that has not sent a whole request head within
    /// `idleTimeout` of connecting (or of its last answer, for keep-alive) is closed, so slow or silent clients
    /// cannot hold connections, and with them file descriptors, for good.
    static func smartMailsHTTP1(idleTimeout: Duration) -> HTTPServerBuilder {
        .http1(configuration: .init(idleTimeout: TimeAmount(idleTimeout)))
    }
}
