import HTTPTypes
import SmartMailsApp
import SmartMailsCore

extension ContactError: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .notFound(let kind, let id):
            .notFound(kind, id: id)
        case .rejected(let code, let param, let message):
            switch code {
            case "validation_failed": .validationFailed(message, param: param ?? "body")
            default: APIError(status: .conflict, kind: .invalidRequest, code: code, message: message, param: param)
            }
        case .batchTooLarge(let count, let maximum):
            .validationFailed("At most \(maximum) items per request; this one has \(count).", param: "contacts")
        case .invalidRule(let error):
            APIError(status: .unprocessableContent, kind: .invalidRequest, code: "invalid_rule", message: error.message, param: error.path)
        case .importFinished(let id, let status):
            APIError(status: .conflict, kind: .invalidRequest, code: "import_finished", message: "Import \(id) is \(status) already.", param: "id")
        case .fileTooLarge(let maximumBytes):
            APIError(status: .contentTooLarge, kind: .invalidRequest, code: "payload_too_large", message: "The file is larger than \(maximumBytes) bytes.")
        case .unreadableFile(let message):
            APIError(status: .unprocessableContent, kind: .invalidRequest, code: "unreadable_file", message: message, param: "file")
        }
    }
}
