import HTTPTypes
import SmartMailsApp

extension TemplateError: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .notFound(let id):
            .notFound("template", id: id)
        case .versionNotFound(let id, let version):
            APIError(
                status: .notFound, kind: .notFound, code: "not_found", message: "Template \(id) has no version \(version).", param: "version"
            )
        case .nameTaken(let name):
            APIError(
                status: .conflict, kind: .invalidRequest, code: "template_exists",
                message: "This workspace has a template named \(name.prefix(100)) already.", param: "name"
            )
        }
    }
}

extension TemplateRenderError: APIErrorConvertible {
    /// `param` is the part, so that an editor can point at it; the message has the line and column.
    var apiError: APIError { APIError(status: .unprocessableContent, kind: .invalidRequest, code: code, message: message, param: part.rawValue) }
}
