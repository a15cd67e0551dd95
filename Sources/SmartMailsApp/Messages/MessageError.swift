import SmartMailsCore

public enum MessageError: Error, Equatable {
    case notFound(id: String)
    /// Cancelling is only for a message still waiting in the queue.
    case notCancellable(id: String, status: String)
    case batchTooLarge(count: Int, maximum: Int)
    /// The key's daily recipient quota would be passed; nothing of the request was queued.
    case quotaExceeded(limit: Int, used: Int, requested: Int, resetsAt: Timestamp)
}
