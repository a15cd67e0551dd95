import DNSKit
import Foundation

/// The DNS questions a domain check asks; a resolver that does not answer throws.
public protocol DNSLookup: Sendable {
    func txt(_ name: String) async throws -> [String]
    /// Each MX as `preference exchange`.
    func mx(_ name: String) async throws -> [String]
}

/// DNSKit's resolver, asking the server configured (`SMARTMAILS_DNS_SERVER`) or else the system's first nameserver.
public struct ResolverLookup: DNSLookup {
    let resolver: DNSResolver

    public init(server: String?) throws {
        let address = server ?? (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)).flatMap(DNSResolver.systemServer(resolvConf:)) ?? "127.0.0.1"
        resolver = try DNSResolver(address: address)
    }

    public func txt(_ name: String) async throws -> [String] { try await resolver.txt(name) }

    public func mx(_ name: String) async throws -> [String] {
        try await resolver.mx(name).map { "\($0.preference) \($0.exchange)" }
    }
}
