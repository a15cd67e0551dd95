/// Why a lookup got no answer. A name that does not exist is not an error: it is an empty answer.
public enum DNSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The server did not answer within the timeout, after every attempt.
    case timeout(server: String)
    /// The server answered with this response code (2 SERVFAIL, 4 NOTIMP, 5 REFUSED, ...).
    case serverFailure(rcode: Int)
    /// The answer could not be read: truncated, a pointer loop, lengths past its end.
    case malformedResponse(String)
    /// The query could not be sent (no route, connection refused over TCP).
    case unreachable(server: String, reason: String)
    /// A name that cannot be put in a query (an empty label, a label over 63 bytes, over 255 bytes in all).
    case invalidName(String)

    public var description: String {
        switch self {
        case .timeout(let server): "the DNS server \(server) did not answer in time"
        case .serverFailure(let rcode): "the DNS server answered \(DNSMessage.rcodeName(rcode))"
        case .malformedResponse(let reason): "the DNS answer could not be read (\(reason))"
        case .unreachable(let server, let reason): "the DNS server \(server) could not be reached (\(reason))"
        case .invalidName(let name): "'\(name)' cannot be looked up"
        }
    }
}
