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
}
