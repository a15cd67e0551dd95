import Dispatch

/// Runs blocking work (a child process, a wait) on a Dispatch thread. The cooperative pool has one thread per core:
/// a test blocking one for a Python start stalls every other test's servers and clients, and their timeouts fire.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result(catching: work)) }
    }
}
