import HTTPTypes
import SmartMailsApp

extension DomainError: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .notFound(let id):
            .notFound("domain", id: id)
        case .exists(let name, let id):
            APIError(
                status: .conflict, kind: .invalidRequest, code: "domain_exists",
                message: "This workspace has the domain \(name) already" + (id.map { " (\($0))." } ?? "."), param: "name"
            )
        case .verificationUnavailable:
            APIError(status: .serviceUnavailable, kind: .api, code: "dns_unavailable", message: "This server has no DNS resolver to check records with.")
        }
    }
}
