import SmartMailsCore

/// Finds the client's address: the TCP peer, unless the peer is a trusted proxy, in which case the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy (entries further left can be forged by the client).
struct ClientAddressResolver: Sendable {
    let trustedProxies: IPAllowlist

    func clientAddress(peer peerAddress: IPAddress?, forwardedFor: String?) -> IPAddress? {
        guard let peerAddress, !trustedProxies.isUnrestricted, trustedProxies.allows(peerAddress),
              let forwardedFor, !forwardedFor.isEmpty
        else { return peerAddress }
        var candidate = peerAddress
        for entry in forwardedFor.split(separator: ",").reversed() {
            guard let address = IPAddress(entry.trimmingSpacesAndTabs) else { return nil }
            candidate = address
            if !trustedProxies.allows(address) { break }
        }
        return candidate
    }
}
