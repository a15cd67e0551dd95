import Dispatch

/// CPU-heavy synchronous work (bcrypt, RSA key generation) run on Dispatch's threads, not the cooperative pool's.
///
/// The cooperative pool has one thread per core; a second of hashing on one of them stalls every request, timer and
/// delivery waiting behind it. `Task.detached` does not help: it runs on the same pool.
enum BlockingWork {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result(catching: work)) }
        }
    }

    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
