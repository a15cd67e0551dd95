import Logging
import SmartMailsCore

/// What the envelope knows of the request being handled, for the layers that see only the OpenAPI request (the
/// operation policy), which has neither the Hummingbird context nor the connection.
struct RequestScope: Sendable {
    let requestID: String
    /// The TCP peer (a proxy, when there is one).
    let peerAddress: IPAddress?
    /// Carries the request id in its metadata.
    let logger: Logger

    @TaskLocal static var current: RequestScope?
}
