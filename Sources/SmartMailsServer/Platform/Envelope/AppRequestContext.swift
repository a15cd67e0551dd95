import Hummingbird
import NIOCore
import SmartMailsCore

/// The per-request state: our request id and the peer's address.
struct AppRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The address of the TCP peer (a proxy, when there is one).
    let peerAddress: IPAddress?
    var requestID: String = ""

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
    }
}
