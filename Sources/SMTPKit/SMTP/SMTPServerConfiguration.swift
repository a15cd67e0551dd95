import NIOCore
import NIOSSL

/// Where and how to reach an SMTP server: address, TLS, credentials and timeouts.
public struct SMTPServerConfiguration: Sendable {
    /// How the connection is protected.
    public enum Security: Sendable, Hashable {
        /// Clear text; for loopback tests and trusted local relays.
        case plaintext
        /// STARTTLS, failing when the server does not offer it (submission on port 587).
        case startTLS
        /// STARTTLS when offered, clear text otherwise (opportunistic, as MX delivery on port 25 does).
        case startTLSIfAvailable
        /// TLS from the first byte (port 465).
        case implicitTLS
    }

    /// How the server's certificate is checked.
    public enum CertificateVerification: Sendable, Hashable {
        /// Against the system's trust store, with host name check.
        case system
        /// Against these PEM certificates only (a private CA or a self-signed test certificate), with host name check.
        case trustedCertificates(pem: String)
        /// Not at all: for tests only, it allows anyone in the middle.
        case none
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var certificateVerification: CertificateVerification
    /// The name checked against the certificate and sent as SNI; defaults to `host` unless that is an IP address.
    public var tlsServerName: String?
    public var credentials: SMTPCredentials?
    /// Lets AUTH send credentials over clear text; off by default.
    public var allowsInsecureAuthentication: Bool
    /// The name we give in EHLO/HELO.
    public var heloName: String
    public var timeouts: SMTPTimeouts
    public var usesPipelining: Bool

    public init(
        host: String,
        port: Int = 587,
        security: Security = .startTLS,
        certificateVerification: CertificateVerification = .system,
        tlsServerName: String? = nil,
        credentials: SMTPCredentials? = nil,
        allowsInsecureAuthentication: Bool = false,
        heloName: String = "localhost",
        timeouts: SMTPTimeouts = SMTPTimeouts(),
        usesPipelining: Bool = true
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.certificateVerification = certificateVerification
        self.tlsServerName = tlsServerName
        self.credentials = credentials
        self.allowsInsecureAuthentication = allowsInsecureAuthentication
        self.heloName = heloName
        self.timeouts = timeouts
        self.usesPipelining = usesPipelining
    }

    var stateMachineConfiguration: SMTPClientStateMachine.Configuration {
        let tls: SMTPClientStateMachine.TLSBehaviour
        switch self.security {
        case .plaintext: tls = .none
        case .startTLS: tls = .startTLSRequired
        case .startTLSIfAvailable: tls = .startTLSIfAvailable
        case .implicitTLS: tls = .implicit
        }
        return .init(
            heloName: self.heloName,
            tls: tls,
            credentials: self.credentials,
            allowsInsecureAuthentication: self.allowsInsecureAuthentication,
            usesPipelining: self.usesPipelining
        )
    }

    /// The SNI and verification name: an explicit one, else the host when it is a name rather than an address.
    var serverHostname: String? {
        if let tlsServerName { return tlsServerName }
        let isAddress = self.host.contains(":") || self.host.split(separator: ".").allSatisfy { Int($0) != nil }
        return isAddress ? nil : self.host
    }

    /// Builds the TLS context once; it is costly, so a pool shares one among its connections.
    func makeSSLContext() throws(SMTPClientError) -> NIOSSLContext? {
        guard self.security != .plaintext else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            switch self.certificateVerification {
            case .system:
                break
            case .trustedCertificates(let pem):
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)))
            case .none:
                tls.certificateVerification = .none
            }
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw .network("cannot set up TLS: \(error)")
        }
    }
}
