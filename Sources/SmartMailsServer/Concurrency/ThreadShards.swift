#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Picks one of 2^`bits` shards for the calling thread, so that state every request touches can be split by thread:
/// requests running at once on different cores then rarely take the same lock or write to the same cache line.
/// Two threads that share a shard are only slower, never wrong.
enum ThreadShards {
    static func index(bits: Int) -> Int {
        // Thread handles sit a fixed stride apart (each at the top of its thread's stack); multiplying by a large odd
        // constant and keeping the top bits spreads them over the shards.
        let handle = UInt64(truncatingIfNeeded: pthread_self())
        return Int(truncatingIfNeeded: (handle &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
    }
}

/// One shard's state behind a lock of its own, padded so that the locks of two shards never share a cache line.
final class LockedShard<State>: Sendable {
    let state: Mutex<State>
    private let padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)

    init(_ initial: sending State) {
        state = Mutex(initial)
    }
}
