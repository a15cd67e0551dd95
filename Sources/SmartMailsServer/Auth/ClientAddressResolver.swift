import SmartMailsCore

/// Finds the client's address: the TCP peer, unless the peer is a trusted proxy, in which case the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy (entries further left can be forged by the client).
struct ClientAddressResolver: Sendable {
    let trustedProxies: IPAllowlist

    func clientAddress(peer: String?, forwardedFor: String?) -> IPAddress? {
        let peerAddress = peer.flatMap(IPAddress.init)
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

extension Substring {
    /// Without the spaces and tabs around it (header values and list entries).
    var trimmingSpacesAndTabs: Substring {
        var result = self
        while let first = result.utf8.first, first == 0x20 || first == 0x09 { result = result.dropFirst() }
        while let last = result.utf8.last, last == 0x20 || last == 0x09 { result = result.dropLast() }
        return result
    }
}
