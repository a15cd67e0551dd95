import Synchronization

/// One key's rate-limit state: its theoretical arrival time (TAT), in a single atomic word, so that a decision is
/// one compare-and-swap instead of a lock. Exact under concurrency: an admitted request moves the TAT from the value
/// it decided on, and a request that raced with another decides again.
///
/// A cell can be retired once its key is idle, so that memory follows the number of recently active keys. Retiring
/// is a compare-and-swap too, from the idle value that was seen, so a request that arrives meanwhile either wins (and
/// the cell stays) or finds the cell retired and asks its limiter for the key's live cell. A key therefore never
/// counts against two cells at once.
public final class GCRACell: Sendable {
    /// No request yet, or the allowance was given back: the next request finds the full allowance.
    private static let empty = Int64.min
    /// Retired by `GCRARateLimiter.pruneIdle`: no longer the key's cell.
    private static let retired = Int64.max

    private let arrival = Atomic<Int64>(GCRACell.empty)

    public init() {}

    /// Takes one request from the allowance at `now` (a monotonic clock reading, in nanoseconds); nil when the cell
    /// was retired and the key's current cell must be asked instead.
    public func acquire(policy: RateLimitPolicy, now: Int64) -> GCRA.Decision? {
        var stored = arrival.load(ordering: .relaxed)
        while true {
            guard stored != Self.retired else { return nil }
            let (decision, next) = GCRA.decide(
                storedArrival: stored == Self.empty ? nil : stored, now: now, policy: policy, unitsPerSecond: 1_000_000_000
            )
            guard let next else { return decision }
            let (exchanged, current) = arrival.compareExchange(expected: stored, desired: next, ordering: .relaxed)
            if exchanged { return decision }
            stored = current
        }
    }

    /// Gives the full allowance back, e.g. after the key's policy changed. A retired cell stays retired.
    public func reset() {
        var stored = arrival.load(ordering: .relaxed)
        while stored != Self.retired && stored != Self.empty {
            let (exchanged, current) = arrival.compareExchange(expected: stored, desired: Self.empty, ordering: .relaxed)
            if exchanged { return }
            stored = current
        }
    }

    /// Retires the cell if its allowance is full again at `now`; true when it did.
    func retireIfIdle(now: Int64) -> Bool {
        let stored = arrival.load(ordering: .relaxed)
        guard stored != Self.retired, stored == Self.empty || stored <= now else { return false }
        return arrival.compareExchange(expected: stored, desired: Self.retired, ordering: .relaxed).exchanged
    }
}
