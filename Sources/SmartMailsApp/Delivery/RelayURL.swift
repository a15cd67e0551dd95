import Foundation
import SMTPKit

/// `SMARTMAILS_SMTP_URL`: one relay or several, comma-separated, tried in order.
///
/// `smtp://[user:password@]host[:port]` speaks STARTTLS when the relay offers it (`?tls=required` insists on it,
/// `?tls=none` never tries); `smtps://` is TLS from the first byte. `?ca=/path/to.pem` trusts that certificate (a
/// private CA or a self-signed relay); `?verify=none` checks none (tests only). Credentials never travel in clear
/// text unless `?insecure_auth=true` allows it (a relay on loopback). `?rate=N` sends at most N messages a second to
/// that relay; `?connections=N` opens at most N connections to it.
public enum RelayURL {
    public struct Relay: Sendable {
        public let server: SMTPServerConfiguration
        /// Messages per second; nil: as fast as the node goes.
        public let rate: Double?
        /// Connections at most; nil: the node's delivery concurrency.
        public let connections: Int?
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public static func parse(_ text: String, heloName: String) throws -> [Relay] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !parts.isEmpty else { throw Invalid(description: "SMARTMAILS_SMTP_URL names no relay") }
        return try parts.map { try relay($0, heloName: heloName) }
    }

    static func relay(_ text: String, heloName: String) throws -> Relay {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), let host = components.host, !host.isEmpty else {
            throw Invalid(description: "'\(redacted(text))' is not a relay URL such as smtp://relay.example.com:587")
        }
        var options: [String: String] = [:]
        for item in components.queryItems ?? [] { options[item.name.lowercased()] = item.value ?? "" }
        let known: Set<String> = ["tls", "ca", "verify", "insecure_auth", "rate", "connections"]
        if let unknown = options.keys.first(where: { !known.contains($0) }) {
            throw Invalid(description: "relay URL option '\(unknown)' is unknown (known: \(known.sorted().joined(separator: ", ")))")
        }
        let security: SMTPServerConfiguration.Security
        let defaultPort: Int
        switch (scheme, options["tls"]) {
        case ("smtps", nil): (security, defaultPort) = (.implicitTLS, 465)
        case ("smtp", nil): (security, defaultPort) = (.startTLSIfAvailable, 25)
        case ("smtp", "required"): (security, defaultPort) = (.startTLS, 587)
        case ("smtp", "none"): (security, defaultPort) = (.plaintext, 25)
        default: throw Invalid(description: "relay URL '\(redacted(text))': use smtp:// (tls=required or tls=none) or smtps://")
        }
        var verification = SMTPServerConfiguration.CertificateVerification.system
        if let ca = options["ca"] {
            guard let pem = try? String(contentsOfFile: ca, encoding: .utf8) else { throw Invalid(description: "cannot read the relay's CA file \(ca)") }
            verification = .trustedCertificates(pem: pem)
        }
        if options["verify"] == "none" { verification = .none }
        var credentials: SMTPCredentials?
        if let user = components.percentEncodedUser {
            credentials = SMTPCredentials(username: user.removingPercentEncoding ?? user, password: components.percentEncodedPassword?.removingPercentEncoding ?? "")
        }
        let rate = try options["rate"].map { text in
            guard let value = Double(text), value >= 0.01, value <= 100_000 else { throw Invalid(description: "relay URL option rate=\(text): messages a second, 0.01 to 100000") }
            return value
        }
        let connections = try options["connections"].map { text in
            guard let value = Int(text), (1...1000).contains(value) else { throw Invalid(description: "relay URL option connections=\(text): 1 to 1000") }
            return value
        }
        let server = SMTPServerConfiguration(
            host: host, port: components.port ?? defaultPort, security: security, certificateVerification: verification,
            credentials: credentials, allowsInsecureAuthentication: options["insecure_auth"] == "true", heloName: heloName
        )
        return Relay(server: server, rate: rate, connections: connections)
    }

    /// The URL without its password, for messages.
    public static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "(relay URL)"
    }
}
