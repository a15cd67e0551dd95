#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Picks one of 2^`bits` shards for the calling thread, so that state every request touches can be split by thread:
/// requests running at once on different cores then do not take the same lock or write to the same cache line.
///
/// Each thread gets the next number the first time it asks, kept in a thread-specific slot, so that the first 2^`bits`
/// threads that ask all have shards of their own; a hash of the thread handles could put two of the few threads that
/// run requests on one shard, and did in some processes. Two threads that share a shard are only slower, never wrong.
enum ThreadShards {
    /// The calling thread's number plus one, so that a slot never set (nil) is told apart from the first thread's.
    private static let slot: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-specific slot is left for the shard numbers")
        return key
    }()
    private static let threadsNumbered = Atomic<Int>(0)

    static func index(bits: Int) -> Int {
        let mask = (1 << bits) - 1
        if let stored = pthread_getspecific(slot) {
            return (Int(bitPattern: stored) - 1) & mask
        }
        let number = threadsNumbered.add(1, ordering: .relaxed).oldValue
        pthread_setspecific(slot, UnsafeRawPointer(bitPattern: number + 1))
        return number & mask
    }
}

/// One shard's state behind a lock of its own, padded so that the locks of two shards never share a cache line.
final class LockedShard<State>: Sendable {
    let state: Mutex<State>
    private let padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)

    init(_ initial: sending State) {
        state = Mutex(initial)
    }

    /// One shard for each number `ThreadShards.index(bits:)` hands out, each starting from `initial()`.
    static func perThread(bits: Int, _ initial: () -> State) -> [LockedShard<State>] {
        (0..<(1 << bits)).map { _ in LockedShard(initial()) }
    }
}
