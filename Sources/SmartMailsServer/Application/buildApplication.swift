import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import SmartMailsAPI
import SmartMailsApp
import SmartMailsCore
import SmartMailsStore

/// The one place the server is assembled: the services over storage, the request envelope, the operation policy in
/// front of the generated handlers, the documentation routes, the dashboard, and the background services.
///
/// `secrets` is the server's secret key as the caller loaded (and checked against the database) it; nil loads it
/// from the configuration here.
public func buildApplication(
    configuration: ServerConfiguration, store: SQLStore, secrets: SecretBox? = nil, logger: Logger
) throws -> some ApplicationProtocol {
    let metrics = ServerMetrics()
    let rateLimiter: any RateLimiting =
        configuration.sharesRateLimits(databaseKind: store.client.kind)
            ? SharedRateLimits(store: store, logger: logger) : LocalRateLimits()
    let verifier = KeyVerifier(store: store, cacheSeconds: configuration.keyCacheSeconds, rateLimitCells: rateLimiter.localCells)
    let usage = UsageRecorder(store: store, logger: logger)
    let keys = KeyService(store: store, verifier: verifier, rateLimiter: rateLimiter)

    // HEAD is answered wherever GET is (RFC 9110 §9.3.2): uptime monitors and link checkers ask with it.
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    let policies = try OperationPolicies.fromShippedSpecification()
    var allowedMethods = policies.allowedMethods
    DocsRoutes.paths.forEach { allowedMethods.add($0, methods: ["GET"]) }
    // First, so that it wraps every route and the 404 of paths that match none.
    router.add(middleware: RequestEnvelopeMiddleware(metrics: metrics, allowedMethods: allowedMethods))
    let addressResolver = ClientAddressResolver(trustedProxies: configuration.trustedProxies)
    let policy = OperationPolicyMiddleware(
        policies: policies,
        authenticator: Authenticator(
            verifier: verifier, addressResolver: addressResolver, metrics: metrics
        ),
        rateLimiter: rateLimiter, idempotency: IdempotencyLayer(store: store), usage: usage, metrics: metrics
    )
    let hasher = PasswordHasher(cost: configuration.passwordCost)
    let team = TeamService(store: store, hasher: hasher, keys: keys)
    let importRunner = ImportRunner(store: store, logger: logger)
    let contacts = ContactService(store: store)
    let domains = DomainService(
        store: store, secrets: try secrets ?? ServerSecret.load(configured: configuration.secretKey, dataDirectory: configuration.dataDirectory, logger: logger),
        settings: DomainRecordSettings(spfInclude: configuration.spfInclude, inboundHost: configuration.resolvedMailHost),
        // A configured server that cannot be read stops the start; a system one that cannot (an IPv6 zone, say)
        // only leaves domain checks unavailable.
        dns: configuration.dnsServer != nil ? try ResolverLookup(server: configuration.dnsServer) : try? ResolverLookup(server: nil)
    )
    let sendingPolicy = SendingPolicyService(store: store)
    let imports = ImportService(store: store, directory: configuration.importsDirectory, runner: importRunner)
    let doorbell = DeliveryDoorbell()
    let templates = TemplateService(store: store)
    let messages = MessageService(store: store, templates: templates, doorbell: doorbell, policy: sendingPolicy)
    let outbox = configuration.smtpURL == nil ? OutboxTransport(directory: configuration.outboxDirectory) : nil
    let transport: any MailTransport = try outbox ?? SMTPRelayTransport(
        relays: try RelayURL.parse(configuration.smtpURL ?? "", heloName: configuration.resolvedMailHost),
        maximumConnections: configuration.delivery.concurrency, logger: logger
    )
    var delivery = configuration.delivery
    // One process per SQLite file delivers, so leases left by the last run are stale; PostgreSQL nodes wait theirs out.
    delivery.releasesLeasesAtStart = store.client.kind == .sqlite
    let worker = DeliveryWorker(
        store: store, transport: transport, domains: domains, doorbell: doorbell, configuration: delivery, logger: logger,
        report: { metrics.recordDelivery($0) }
    )
    let handler = APIHandler(
        keys: keys, keyUsage: KeyUsageService(store: store, recorder: usage), team: team,
        contacts: contacts, lists: ListService(store: store), segments: SegmentService(store: store), imports: imports,
        domains: domains, sendingPolicy: sendingPolicy, templates: templates, messages: messages, suppressions: SuppressionService(store: store),
        outbox: outbox, transportName: transport.name,
        publicURL: configuration.resolvedPublicURL,
        auditLog: AuditLogService(store: store),
        workspaces: WorkspaceDirectory(store: store), readiness: store, metrics: metrics
    )
    try handler.registerHandlers(
        on: router,
        // Compact JSON (pretty-printing costs throughput for a reader with no `jq`), members in a stable order from
        // one answer to the next, and `/` written as itself.
        configuration: .init(dateTranscoder: UTCDateTranscoder(), jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes]),
        middlewares: [policy]
    )
    try DocsRoutes().addRoutes(to: router)
    DashboardRoutes(
        pages: try DashboardPages(),
        accounts: AccountService(store: store, hasher: hasher), team: team, workspaces: store,
        keys: keys, keyUsage: KeyUsageService(store: store, recorder: usage), auditLog: AuditLogService(store: store),
        contacts: contacts, lists: ListService(store: store), segments: SegmentService(store: store), imports: imports,
        domains: domains, sendingPolicy: sendingPolicy, templates: templates, messages: messages, suppressions: SuppressionService(store: store), addressResolver: addressResolver, publicURL: configuration.resolvedPublicURL
    ).addRoutes(to: router)

    return Application(
        router: router,
        server: .smartMailsHTTP1(idleTimeout: configuration.idleTimeout),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "SmartMails"),
        services: [
            UsageFlushService(recorder: usage, interval: configuration.usageFlushInterval),
            MaintenanceService(idempotency: store, accounts: store, rateLimiter: rateLimiter, logger: logger),
            KeyChangeListener(store: store, verifier: verifier, logger: logger),
            importRunner,
            worker,
        ],
        logger: logger
    )
}
