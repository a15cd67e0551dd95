#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Hummingbird
import NIOCore
import SmartMailsCore

/// The per-request state the middleware chain fills in: our request id, the peer's address, and, on `/v1`,
/// the authenticated caller.
struct AppRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The address of the TCP peer (a proxy, when there is one), read from the socket address as bytes.
    let peerAddress: IPAddress?
    var requestID: String = ""
    var caller: Caller?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        switch source.channel.remoteAddress {
        case .v4(let address)?:
            peerAddress = IPAddress(ipv4: UInt32(bigEndian: address.address.sin_addr.s_addr))
        case .v6(let address)?:
            var raw = address.address.sin6_addr
            peerAddress = withUnsafeBytes(of: &raw) { IPAddress(ipv6Bytes: $0) }
        default:
            peerAddress = nil
        }
    }

    /// Bodies are bounded by `BodyLimitMiddleware` with the API's own error; this is the framework's backstop.
    var maxUploadSize: Int { ServerConfiguration.maximumBodyBytes }
}
