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
    public var usageFlushSeconds: Double
    /// E-mail of the owner created on first start.
    public var ownerEmail: String
    /// Whether rate limits live in PostgreSQL (shared by all nodes) rather than in each process; nil decides by
    /// the database: shared on PostgreSQL, where several nodes may serve the same keys, local on SQLite.
    public var sharedRateLimits: Bool?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String = "./data", databaseURL: String? = nil,
        trustedProxies: IPAllowlist = IPAllowlist(), keyCacheSeconds: Int = 15, usageFlushSeconds: Double = 2,
        ownerEmail: String = "owner@localhost"
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.trustedProxies = trustedProxies
        self.keyCacheSeconds = keyCacheSeconds
        self.usageFlushSeconds = usageFlushSeconds
        self.ownerEmail = ownerEmail
    }

    public var sqlitePath: String { dataDirectory + "/smartmails.sqlite" }

    func sharesRateLimits(databaseKind: DatabaseKind) -> Bool {
        databaseKind == .postgres && (sharedRateLimits ?? true)
    }
}
