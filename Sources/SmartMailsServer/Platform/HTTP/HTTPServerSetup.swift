import Hummingbird
import HummingbirdCore

extension HTTPServerBuilder {
    /// Hummingbird's HTTP/1 server with an idle timeout: a connection that has not sent a whole request head within
    /// `idleTimeout` of connecting (or of its last answer, for keep-alive) is closed, so slow or silent clients
    /// cannot hold connections, and with them file descriptors, for good.
    static func smartMailsHTTP1(idleTimeout: Duration) -> HTTPServerBuilder {
        let nanoseconds = idleTimeout.components.seconds * 1_000_000_000 + idleTimeout.components.attoseconds / 1_000_000_000
        return .http1(configuration: .init(idleTimeout: .nanoseconds(nanoseconds)))
    }
}
