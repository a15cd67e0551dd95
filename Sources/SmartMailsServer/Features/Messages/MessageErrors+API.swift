import Foundation
import HTTPTypes
import SmartMailsApp
import SmartMailsCore

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
        case .quotaExceeded(let limit, let used, let requested, let resetsAt):
            APIError(
                status: .tooManyRequests, kind: .rateLimit, code: "quota_exceeded",
                message: "This key may send to \(limit) recipients a day and has sent to \(used) today; these messages have \(requested). The quota starts over at \(resetsAt.date.formatted(.iso8601)).",
                headers: [.retryAfter: String(max(1, (resetsAt.millisecondsSinceEpoch - Timestamp.now.millisecondsSinceEpoch + 999) / 1000))]
            )
        }
    }
}
