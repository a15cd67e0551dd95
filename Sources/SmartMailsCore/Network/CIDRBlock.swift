/// A network in CIDR notation (`203.0.113.0/24`, `2001:db8::/32`; a bare address means just that host).
public struct CIDRBlock: Hashable, Sendable, CustomStringConvertible {
    public let network: IPAddress
    /// Prefix length in the 128-bit space (an IPv4 /24 is stored as /120).
    let prefixLength: Int

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let maximum = address.isIPv4 ? 32 : 128
        var length = maximum
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...maximum).contains(parsed), parts[1].allSatisfy(\.isASCII) else { return nil }
            length = parsed
        }
        prefixLength = address.isIPv4 ? length + 96 : length
        let (highMask, lowMask) = Self.masks(prefixLength)
        network = IPAddress(high: address.high & highMask, low: address.low & lowMask)
    }

    public func contains(_ address: IPAddress) -> Bool {
        let (highMask, lowMask) = Self.masks(prefixLength)
        return address.high & highMask == network.high && address.low & lowMask == network.low
    }

    public var description: String {
        "\(network)/\(network.isIPv4 && prefixLength >= 96 ? prefixLength - 96 : prefixLength)"
    }

    private static func masks(_ length: Int) -> (UInt64, UInt64) {
        let high: UInt64 = length >= 64 ? .max : (length == 0 ? 0 : ~UInt64(0) << UInt64(64 - length))
        let low: UInt64 = length <= 64 ? 0 : (length == 128 ? .max : ~UInt64(0) << UInt64(128 - length))
        return (high, low)
    }
}
