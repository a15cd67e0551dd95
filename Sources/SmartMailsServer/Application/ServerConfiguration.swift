import Foundation
import SmartMailsApp
import SmartMailsCore
import SmartMailsStore

/// Everything the server is told at start, from flags or `SMARTMAILS_*` variables (see the README's table).
public struct ServerConfiguration: Sendable {
    /// Request bodies larger than this are refused with 413.
    static let maximumBodyBytes = 1 << 20

    public var host: String
    public var port: Int
    public var dataDirectory: String
    /// `postgres://…`; nil keeps the embedded SQLite database in `dataDirectory`.
    public var databaseURL: String?
    /// Proxies whose `X-Forwarded-For` is believed; from any other peer the header is ignored.
    public var trustedProxies: IPAllowlist
    /// How long a verified key is served from memory before storage is asked again. Changes made through this
    /// process apply at once; this bounds how stale a change made by another process (CLI, another node) can be.
    public var keyCacheSeconds: Int
    /// How often usage counts and last-used times are written.
    public var usageFlushInterval: Duration
    /// How long a connection may take to send a request head, and how long an idle keep-alive connection stays open.
    public var idleTimeout: Duration
    /// E-mail of the owner created on first start.
    public var ownerEmail: String
    /// bcrypt's cost for dashboard passwords (2^cost rounds; 12 takes about 0.25 s of one core).
    public var passwordCost: UInt8 = 12
    /// Where browsers reach the server (`SMARTMAILS_PUBLIC_URL`), for the links the server hands out; nil means
    /// its own address.
    public var publicURL: String?

    /// `publicURL`, or the listening address with a wildcard host replaced by loopback.
    public var resolvedPublicURL: String {
        if let publicURL { return String(publicURL.reversed().drop { $0 == "/" }.reversed()) }
        let host = switch self.host {
        case "0.0.0.0", "": "127.0.0.1"
        case "::", "[::]": "[::1]"
        case let host where host.contains(":") && !host.hasPrefix("["): "[\(host)]"
        case let host: host
        }
        return "http://\(host):\(port)"
    }
    /// Whether rate limits live in PostgreSQL (shared by all nodes) rather than in each process; nil decides by
    /// the database: shared on PostgreSQL, where several nodes may serve the same keys, local on SQLite.
    public var sharedRateLimits: Bool?
    /// `SMARTMAILS_SECRET_KEY` (64 hex digits or 32 bytes of base64); nil uses the data folder's `secret.key`.
    public var secretKey: String?
    /// The relay's SPF include for the suggested SPF record (`SMARTMAILS_SPF_INCLUDE`).
    public var spfInclude: String?
    /// The DNS server domain checks ask (`SMARTMAILS_DNS_SERVER`, `host[:port]`); nil asks resolv.conf's first.
    public var dnsServer: String?
    /// The host that receives bounces, for the return-path MX record (`SMARTMAILS_MAIL_HOST`); nil means the public
    /// URL's host.
    public var mailHost: String?

    /// `SMARTMAILS_SMTP_URL`: the relays to deliver through (see `RelayURL`); nil writes messages to the outbox.
    public var smtpURL: String?
    /// How the delivery queue is worked (`SMARTMAILS_DELIVERY_CONCURRENCY`, `SMARTMAILS_QUEUE_MAX_AGE`, …).
    public var delivery = DeliveryConfiguration()
    /// Where the outbox transport writes messages.
    public var outboxDirectory: String { dataDirectory + "/outbox" }

    /// `mailHost`, or the host of `resolvedPublicURL`.
    public var resolvedMailHost: String {
        if let mailHost { return mailHost }
        return URLComponents(string: resolvedPublicURL)?.host ?? "localhost"
    }

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String = "./data", databaseURL: String? = nil,
        trustedProxies: IPAllowlist = IPAllowlist(), keyCacheSeconds: Int = 15, usageFlushInterval: Duration = .seconds(2),
        idleTimeout: Duration = .seconds(10), ownerEmail: String = "owner@localhost"
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.trustedProxies = trustedProxies
        self.keyCacheSeconds = keyCacheSeconds
        self.usageFlushInterval = usageFlushInterval
        self.idleTimeout = idleTimeout
        self.ownerEmail = ownerEmail
    }

    public var sqlitePath: String { dataDirectory + "/smartmails.sqlite" }
    /// Where uploaded CSV files wait for their import (on this node).
    public var importsDirectory: String { dataDirectory + "/imports" }

    func sharesRateLimits(databaseKind: DatabaseKind) -> Bool {
        databaseKind == .postgres && (sharedRateLimits ?? true)
    }
}
