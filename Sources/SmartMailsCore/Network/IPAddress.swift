#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as 16 bytes; IPv4 is held in its IPv4-mapped IPv6 form (`::ffff:a.b.c.d`) so that
/// an allowlist entry matches whether the socket reports the client as v4 or as mapped v6.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public var isIPv4: Bool { high == 0 && (low >> 32) == 0xFFFF }

    public init?(_ text: some StringProtocol) {
        var text = String(text)
        // Zone ids (fe80::1%eth0) name a local interface and have no meaning in an allowlist.
        if let percent = text.firstIndex(of: "%") { text = String(text[..<percent]) }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            let value = UInt32(bigEndian: v4.s_addr)
            high = 0
            low = (0xFFFF << 32) | UInt64(value)
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        self = withUnsafeBytes(of: &v6) { IPAddress(ipv6Bytes: $0) }
    }

    /// An IPv6 address from its 16 bytes in network order.
    init(ipv6Bytes bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == 16)
        high = bytes[0..<8].reduce(0) { ($0 << 8) | UInt64($1) }
        low = bytes[8..<16].reduce(0) { ($0 << 8) | UInt64($1) }
    }

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public var description: String {
        if isIPv4 {
            let value = UInt32(truncatingIfNeeded: low)
            return "\(value >> 24).\((value >> 16) & 0xFF).\((value >> 8) & 0xFF).\(value & 0xFF)"
        }
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { raw in
            for index in 0..<8 {
                raw[index] = UInt8(truncatingIfNeeded: high >> UInt64(56 - index * 8))
                raw[index + 8] = UInt8(truncatingIfNeeded: low >> UInt64(56 - index * 8))
            }
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return "::" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
