import Hummingbird
import NIOCore
import SmartMailsCore

/// The per-request state: our request id and the peer's address.
struct AppRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The address of the TCP peer (a proxy, when there is one), read from the socket address as bytes.
    let peerAddress: IPAddress?
    var requestID: String = ""

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        switch source.channel.remoteAddress {
        case .v4(let address)?:
            peerAddress = withUnsafeBytes(of: address.address) { IPAddress(ipv4: $0[Self.ipv4Bytes].reduce(0) { $0 << 8 | UInt32($1) }) }
        case .v6(let address)?:
            peerAddress = withUnsafeBytes(of: address.address) { IPAddress(ipv6Bytes: UnsafeRawBufferPointer(rebasing: $0[Self.ipv6Bytes])) }
        default:
            peerAddress = nil
        }
    }

    // Where the address sits in `sockaddr_in` and `sockaddr_in6` (family and port come first; RFC 3493's layout,
    // the same on Linux and Darwin). Read by offset rather than through the C members, whose owning Clang module
    // varies between builds and which `MemberImportVisibility` then refuses.
    private static let ipv4Bytes = 4..<8
    private static let ipv6Bytes = 8..<24

    /// Bodies are bounded per operation by `RequestBodyReader` with the API's own error; this is the framework's backstop.
    var maxUploadSize: Int { ServerConfiguration.maximumBodyBytes }
}
