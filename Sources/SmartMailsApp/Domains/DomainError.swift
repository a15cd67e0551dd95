/// Why a sending-domain operation was refused; mapped to the API's error shape in one place.
public enum DomainError: Error, Equatable, Sendable {
    case notFound(id: String)
    case exists(name: String, id: String?)
    /// The server was started without a way to ask DNS.
    case verificationUnavailable
}
