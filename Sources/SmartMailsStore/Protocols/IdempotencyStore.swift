import SmartMailsCore

/// Remembers the outcome of requests sent with an `Idempotency-Key`, so a retry gets the first answer.
public protocol IdempotencyStore: Sendable {
    /// Claims the key for a request with this fingerprint. Returns `.claimed` for a first attempt, `.completed`
    /// with the stored answer for a retry, `.inProgress` while the first attempt runs, `.mismatch` when the key was
    /// used with another request.
    func claimIdempotencyKey(workspaceID: String, key: String, fingerprint: String, now: Timestamp) async throws -> IdempotencyClaim
    func completeIdempotencyKey(workspaceID: String, key: String, status: Int, body: String) async throws
    /// Forgets a claim whose request failed before answering, so it can be retried.
    func releaseIdempotencyKey(workspaceID: String, key: String) async throws
    func purgeIdempotencyKeys(olderThan: Timestamp) async throws
}

/// The state of an idempotency key when a request arrives with it.
public enum IdempotencyClaim: Sendable, Equatable {
    case claimed
    case inProgress
    case mismatch
    case completed(status: Int, body: String)
}
