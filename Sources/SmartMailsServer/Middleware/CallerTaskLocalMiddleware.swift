import Hummingbird

/// Makes the authenticated caller visible to the generated OpenAPI handlers, which see only their typed input and
/// so cannot read `context.caller`. Only the routes that need it pay for binding a task-local value; `/v1/me`,
/// a plain route, reads the context.
struct CallerTaskLocalMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let caller = context.caller else { return try await next(request, context) }
        return try await Caller.$current.withValue(caller) { try await next(request, context) }
    }
}
