import Testing
@testable import SmartMailsCore

@Suite struct GCRARateLimiterTests {
    let policy = RateLimitPolicy(requests: 60, perSeconds: 60)
    let second: Int64 = 1_000_000_000

    @Test func allowsTheBurstThenRefusesWithRetryAfter() {
        let limiter = GCRARateLimiter()
        let start: Int64 = 1_000 * second
        for expectedRemaining in stride(from: 59, through: 0, by: -1) {
            let decision = limiter.acquire(key: "k", policy: policy, now: start)
            #expect(decision.allowed && decision.remaining == expectedRemaining)
        }
        let refused = limiter.acquire(key: "k", policy: policy, now: start)
        #expect(!refused.allowed && refused.remaining == 0 && refused.retryAfterSeconds == 1)
        #expect(refused.resetSeconds == 60)
    }

    @Test func allowanceReturnsAtTheEmissionRate() {
        let limiter = GCRARateLimiter()
        let start: Int64 = 1_000 * second
        for _ in 0..<60 { _ = limiter.acquire(key: "k", policy: policy, now: start) }
        #expect(!limiter.acquire(key: "k", policy: policy, now: start + second / 2).allowed)
        #expect(limiter.acquire(key: "k", policy: policy, now: start + second).allowed)
        #expect(!limiter.acquire(key: "k", policy: policy, now: start + second).allowed)
        let later = limiter.acquire(key: "k", policy: policy, now: start + 61 * second)
        #expect(later.allowed && later.remaining == 59)
    }

    @Test func keysAreIndependent() {
        let limiter = GCRARateLimiter()
        let tight = RateLimitPolicy(requests: 1, perSeconds: 60)
        #expect(limiter.acquire(key: "a", policy: tight, now: 0).allowed)
        #expect(!limiter.acquire(key: "a", policy: tight, now: 0).allowed)
        #expect(limiter.acquire(key: "b", policy: tight, now: 0).allowed)
    }

    @Test func exactUnderConcurrency() async {
        let limiter = GCRARateLimiter()
        let tight = RateLimitPolicy(requests: 100, perSeconds: 3600)
        let allowed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<1_000 { group.addTask { limiter.acquire(key: "k", policy: tight).allowed } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == 100)
    }

    @Test func aCellDecidesLikeTheKeyedPath() {
        let throughCells = GCRARateLimiter()
        let byKey = GCRARateLimiter()
        let cell = throughCells.cell(for: "k")
        let start: Int64 = 1_000 * second
        var allowedCount = 0
        for step in 0..<200 as Range<Int64> {
            // Bursts and pauses: 3 requests every 2 s against 60 per 60 s, so some are refused along the way.
            let now = start + (step / 3) * 2 * second
            let viaCell = throughCells.acquire(key: "k", cell: cell, policy: policy, now: now)
            #expect(viaCell == byKey.acquire(key: "k", policy: policy, now: now))
            if viaCell.allowed { allowedCount += 1 }
        }
        #expect(allowedCount > 60 && allowedCount < 200)
        // The cell is the key's state: the keyed path sees what went through the cell.
        for _ in 0..<60 { _ = throughCells.acquire(key: "k", cell: cell, policy: policy, now: start + 400 * second) }
        #expect(!throughCells.acquire(key: "k", policy: policy, now: start + 400 * second).allowed)
        #expect(throughCells.cell(for: "k") === cell)
    }

    @Test func exactUnderConcurrencyThroughOneCell() async {
        let limiter = GCRARateLimiter()
        let cell = limiter.cell(for: "k")
        let tight = RateLimitPolicy(requests: 100, perSeconds: 3600)
        let now = MonotonicClock.nanoseconds()
        let allowed = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<1_000 {
                // Half through the cell the verified key holds, half by key id: one allowance for both.
                group.addTask {
                    index.isMultiple(of: 2)
                        ? limiter.acquire(key: "k", cell: cell, policy: tight, now: now).allowed
                        : limiter.acquire(key: "k", policy: tight, now: now).allowed
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == 100)
    }

    @Test func pruningForgetsIdleKeysAndAHeldCellFallsBackToTheKeysNewOne() {
        let limiter = GCRARateLimiter()
        let tight = RateLimitPolicy(requests: 1, perSeconds: 60)
        let held = limiter.cell(for: "k")
        let start: Int64 = 1_000 * second
        #expect(limiter.acquire(key: "k", cell: held, policy: tight, now: start).allowed)

        // Still inside its window: not idle, kept.
        limiter.pruneIdle(now: start + 30 * second)
        #expect(limiter.trackedKeyCount == 1)
        #expect(!limiter.acquire(key: "k", cell: held, policy: tight, now: start + 30 * second).allowed)

        // Idle again: retired and forgotten.
        limiter.pruneIdle(now: start + 61 * second)
        #expect(limiter.trackedKeyCount == 0)
        #expect(held.acquire(policy: tight, now: start + 61 * second) == nil)
        // A verified key still holding the retired cell is counted in the key's new cell, never in the old one.
        #expect(limiter.acquire(key: "k", cell: held, policy: tight, now: start + 61 * second).allowed)
        #expect(limiter.trackedKeyCount == 1)
        let current = limiter.cell(for: "k")
        #expect(current !== held)
        #expect(!limiter.acquire(key: "k", cell: current, policy: tight, now: start + 62 * second).allowed)
        #expect(!limiter.acquire(key: "k", cell: held, policy: tight, now: start + 62 * second).allowed)
    }

    @Test func pruningWhileRequestsArriveKeepsTheLimitExact() async {
        let limiter = GCRARateLimiter()
        let held = limiter.cell(for: "k")
        let tight = RateLimitPolicy(requests: 100, perSeconds: 3600)
        let now = MonotonicClock.nanoseconds()
        let allowed = await withTaskGroup(of: Int.self) { group in
            group.addTask {
                // Prunes as the requests arrive: only a cell that is idle at `now` (nothing taken yet) may go.
                for _ in 0..<200 { limiter.pruneIdle(now: now) }
                return 0
            }
            for _ in 0..<1_000 {
                group.addTask { limiter.acquire(key: "k", cell: held, policy: tight, now: now).allowed ? 1 : 0 }
            }
            return await group.reduce(0, +)
        }
        #expect(allowed == 100)
    }

    @Test func resetGivesTheAllowanceBackToEveryHolderOfTheCell() {
        let limiter = GCRARateLimiter()
        let tight = RateLimitPolicy(requests: 1, perSeconds: 60)
        let held = limiter.cell(for: "k")
        #expect(limiter.acquire(key: "k", cell: held, policy: tight, now: 0).allowed)
        #expect(!limiter.acquire(key: "k", cell: held, policy: tight, now: 0).allowed)
        limiter.reset(key: "k")
        #expect(limiter.acquire(key: "k", cell: held, policy: tight, now: 0).allowed)
    }
}

