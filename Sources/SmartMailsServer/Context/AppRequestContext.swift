import Hummingbird
import NIOCore

/// The per-request state the middleware chain fills in: our request id, the peer's address, and, on `/v1`,
/// the authenticated caller.
struct AppRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The address of the TCP peer (a proxy, when there is one).
    let peerAddress: String?
    var requestID: String = ""
    var caller: Caller?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Bodies are bounded by `BodyLimitMiddleware` with the API's own error; this is the framework's backstop.
    var maxUploadSize: Int { ServerConfiguration.maximumBodyBytes }
}
