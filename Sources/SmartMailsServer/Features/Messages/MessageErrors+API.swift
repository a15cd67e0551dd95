import HTTPTypes
import SmartMailsApp

extension MessageError: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .notFound(let id):
            .notFound("message", id: id)
        case .notCancellable(let id, let status):
            APIError(
                status: .conflict, kind: .invalidRequest, code: "message_not_cancellable",
                message: "Message \(id) is \(status); only a message waiting in the queue can be cancelled."
            )
        case .batchTooLarge(let count, let maximum):
            .validationFailed("A batch holds at most \(maximum) messages; this one has \(count).", param: "messages")
        }
    }
}
