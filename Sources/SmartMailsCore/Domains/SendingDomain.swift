import Foundation

/// A domain a workspace sends from: its two DKIM keys (RFC 8463: every message is signed with both), and the DNS
/// records the owner publishes. Private keys are sealed (`SecretBox`) before they reach this value's storage and
/// never leave the server.
public struct SendingDomain: Sendable, Equatable {
    public static let idPrefix = "dom"

    public let id: String
    public let workspaceID: String
    /// Lower-case ASCII (IDNA-encoded), e.g. `example.com` or `mail.example.com`.
    public let name: String
    public var keys: [DKIMKey]
    public let createdAt: Timestamp
    public var updatedAt: Timestamp
    /// Since when its records are known to be published; nil until a check finds them (`DomainVerification`).
    public var verifiedAt: Timestamp?
    /// The last check, record by record; nil before the first.
    public var verification: DomainVerification?

    public init(
        id: String, workspaceID: String, name: String, keys: [DKIMKey], createdAt: Timestamp, updatedAt: Timestamp,
        verifiedAt: Timestamp? = nil, verification: DomainVerification? = nil
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.keys = keys
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.verifiedAt = verifiedAt
        self.verification = verification
    }

    public var isVerified: Bool { verifiedAt != nil }

    /// Where bounces come back: the VERP return paths of messages from this domain are `…@<bounceHost>`.
    public var bounceHost: String { "bounces." + name }

    /// Every record to publish, DKIM first.
    public func records(settings: DomainRecordSettings) -> [DNSRecordSpec] {
        var records = keys.map { key in
            DNSRecordSpec(purpose: .dkim, type: .txt, name: "\(key.selector)._domainkey.\(name)", value: key.publicRecord)
        }
        // The relay's include, or else the server's own mail host (by address when it is one): whoever sends.
        let sender = settings.spfInclude.map { "include:\($0)" } ?? IPAddress(settings.inboundHost).map { "\($0.isIPv4 ? "ip4" : "ip6"):\(settings.inboundHost)" } ?? "a:\(settings.inboundHost)"
        let spf = "v=spf1 \(sender) ~all"
        records.append(DNSRecordSpec(purpose: .spf, type: .txt, name: name, value: spf))
        records.append(DNSRecordSpec(purpose: .dmarc, type: .txt, name: "_dmarc." + name, value: "v=DMARC1; p=none; rua=mailto:dmarc-reports@\(name)"))
        records.append(DNSRecordSpec(purpose: .returnPath, type: .mx, name: bounceHost, value: "10 \(settings.inboundHost)."))
        return records
    }

    /// The name as the user gave it, trimmed, lower-cased and IDNA-encoded; at least two labels.
    public static func validName(_ text: String) throws(ValidationError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let name = trimmed.hasSuffix(".") ? String(trimmed.dropLast()) : trimmed
        guard let ascii = DomainName.normalized(name), DomainName.isValidASCIIDomain(ascii) else {
            throw ValidationError(param: "name", message: "'\(text.prefix(100))' is not a domain name such as example.com.")
        }
        return ascii
    }
}

/// One of a domain's DKIM keys: the selector it is published under and its private key, sealed.
public struct DKIMKey: Sendable, Equatable {
    public enum Algorithm: String, Sendable, CaseIterable {
        case ed25519
        case rsa
    }

    public let algorithm: Algorithm
    public let selector: String
    /// The DKIM TXT record's value (`v=DKIM1; k=…; p=…`).
    public let publicRecord: String
    /// The PKCS#8 PEM, sealed with the server's secret key in the context `sealingContext(domainID:)`.
    public let sealedPrivateKey: String

    public init(algorithm: Algorithm, selector: String, publicRecord: String, sealedPrivateKey: String) {
        self.algorithm = algorithm
        self.selector = selector
        self.publicRecord = publicRecord
        self.sealedPrivateKey = sealedPrivateKey
    }

    /// What a sealed key is bound to: a key copied to another domain's row, or to the other algorithm, does not open.
    public static func sealingContext(domainID: String, algorithm: Algorithm) -> String {
        "dkim-private-key/\(domainID)/\(algorithm.rawValue)"
    }
}

/// A DNS record the owner of a sending domain publishes.
public struct DNSRecordSpec: Sendable, Equatable {
    public enum Purpose: String, Sendable { case dkim, spf, dmarc, returnPath = "return_path" }
    public enum RecordType: String, Sendable { case txt = "TXT", mx = "MX" }

    public let purpose: Purpose
    public let type: RecordType
    /// Needed for the domain to count as verified: DKIM (proves the owner published our keys) and SPF; DMARC and
    /// the return-path MX are recommended.
    public var isRequired: Bool { purpose == .dkim || purpose == .spf }
    public let name: String
    public let value: String

    public init(purpose: Purpose, type: RecordType, name: String, value: String) {
        self.purpose = purpose
        self.type = type
        self.name = name
        self.value = value
    }
}

/// What the server's own setup puts into the suggested records.
public struct DomainRecordSettings: Sendable, Equatable {
    /// The SPF include of the relay the server sends through (`SMARTMAILS_SPF_INCLUDE`); without one the suggestion
    /// authorises `inboundHost`, the server's own mail host, which then sends directly.
    public var spfInclude: String?
    /// The host that receives bounces (the MX of the return-path host).
    public var inboundHost: String

    public init(spfInclude: String?, inboundHost: String) {
        self.spfInclude = spfInclude
        self.inboundHost = inboundHost
    }
}
