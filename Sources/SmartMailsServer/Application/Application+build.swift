import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import SmartMailsAPI
import SmartMailsCore
import SmartMailsStore

/// The one place the server is assembled: storage, the key verifier and rate limiter, the middleware chain, the
/// generated API handlers, the operational routes and the background services.
public func buildApplication(
    configuration: ServerConfiguration, store: SQLStore, logger: Logger
) throws -> some ApplicationProtocol {
    let metrics = ServerMetrics()
    let rateLimiter: any RateLimiting =
        configuration.sharesRateLimits(databaseKind: store.client.kind)
            ? SharedRateLimits(store: store, logger: logger) : LocalRateLimits()
    let verifier = KeyVerifier(store: store, cacheSeconds: configuration.keyCacheSeconds, rateLimitCells: rateLimiter.localCells)
    let usage = UsageRecorder(store: store, logger: logger)
    let keys = KeyService(store: store, verifier: verifier, rateLimiter: rateLimiter)

    // Each group below brings the request envelope itself (the key check runs it in its own layer; the body
    // layers are one fixed-type stack): every layer Hummingbird chains costs an existential call, a closure and
    // a context copy per request. The router's own middleware is added last, after every route, so it applies
    // only to requests that match none and gives their 404 the same envelope.
    // HEAD is answered wherever GET is (RFC 9110 §9.3.2): uptime monitors and link checkers ask with it.
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    let envelope = RequestEnvelopeMiddleware(metrics: metrics)

    let authenticated = router.group().add(middleware: APIKeyAuthMiddleware(
        envelope: envelope, verifier: verifier, rateLimiter: rateLimiter,
        addressResolver: ClientAddressResolver(trustedProxies: configuration.trustedProxies),
        usage: usage, metrics: metrics
    ))
    // /v1/me takes no body, so it skips the body layers below: it is the route integrations poll to check their key.
    MeRoute(workspaces: WorkspaceDirectory(store: store)).addRoute(to: authenticated)
    let api = authenticated.group().addMiddleware {
        CallerTaskLocalMiddleware()
        BodyLimitMiddleware(maximumBytes: ServerConfiguration.maximumBodyBytes)
        IdempotencyMiddleware(store: store, appliesTo: { request in
            // Creating and rolling keys answer with a secret, which must never be stored; every other POST applies.
            !request.uri.path.hasPrefix("/v1/api-keys")
        })
    }
    try APIHandler(storage: store, keys: keys, usage: usage).registerHandlers(
        on: api,
        // Compact JSON: pretty-printing every response costs throughput for the benefit of a reader with no `jq`.
        configuration: .init(dateTranscoder: UTCDateTranscoder(), jsonEncodingOptions: []),
        middlewares: [EmptyBodyMiddleware()]
    )
    // After the API: the router's trie tries a path's first component against its siblings in the order they were
    // registered, so the routes registered first resolve fastest, and the API is what clients call all day, while
    // a monitor polls these every few seconds.
    try OperationsRoutes(store: store, metrics: metrics).addRoutes(to: router.group().add(middleware: envelope))
    router.add(middleware: envelope)

    return Application(
        router: router,
        server: .smartMailsHTTP1,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "SmartMails"),
        services: [
            UsageFlushService(recorder: usage, interval: configuration.usageFlushSeconds),
            MaintenanceService(store: store, rateLimiter: rateLimiter, logger: logger),
            KeyChangeListener(store: store, verifier: verifier, logger: logger),
        ],
        logger: logger
    )
}
