// key-bench: the real KeyVerifier and in-memory rate limiter on a cache hit, as every authenticated request runs
// them: verify (length check, SHA-256, one locked dictionary lookup, the key's access rules) then the GCRA
// decision on the key's cell. The keys live in a real SQLite store; each is verified once before timing, so the
// timed calls are cache hits, which the store's lookup counter confirms.
//
// Run: swift build -c release --product key-bench && .build/release/key-bench

import Foundation
import Logging
import SmartMailsApp
import SmartMailsCore
import SmartMailsStore
import SmartMailsTestSupport

let keyCount = 1_000
nonisolated let warmupIterations = 20_000
nonisolated let measuredIterations = 200_000
let targetP99Nanoseconds: Int64 = 20_000

func microseconds(_ nanoseconds: Int64) -> String {
    String(format: "%.2f", Double(nanoseconds) / 1000)
}

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("key-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
let sqlStore = try await SQLStore.open(databaseURL: nil, sqlitePath: directory.appendingPathComponent("bench.sqlite").path, logger: Logger(label: "key-bench"))
let workspace = try await Bootstrap.createWorkspace(storage: sqlStore, slug: "bench", name: "Bench", ownerEmail: "bench@example.com").workspace
let store = SecretLookupCounter(sqlStore)
let rateLimiter = LocalRateLimits()
let verifier = KeyVerifier(store: store, cacheSeconds: 3_600, rateLimitCells: rateLimiter.localCells)
let keys = KeyService(store: store, verifier: verifier, rateLimiter: rateLimiter)
let officeAllowlist = try IPAllowlist.parse(["10.0.0.0/8", "192.168.0.0/16", "127.0.0.0/8", "2001:db8::/32"], param: "allowed_ips")
let clientIP = IPAddress("127.0.0.1")

var tokens: [Substring] = []
for index in 0..<keyCount {
    let issued = try await keys.create(
        workspaceID: workspace.id, name: "bench \(index)", scopes: ScopePreset.read.scopes, mode: index % 5 == 0 ? .test : .live,
        // A tenth of the keys carry an allowlist, so that branch of the access rules is exercised too.
        allowedIPs: index % 10 == 0 ? officeAllowlist : IPAllowlist(),
        // High enough that the limiter always allows: the benchmark measures the allowed path.
        rateLimit: RateLimitPolicy(requests: 100_000, perSeconds: 1), by: .system
    )
    // The server hands verify a Substring of the Authorization header.
    let header = "Bearer " + issued.token.rawValue
    let token = header.split(separator: " ", maxSplits: 1)[1]
    _ = try await verifier.verify(token: token, clientIP: clientIP)
    tokens.append(token)
}
let lookupsBeforeTiming = store.secretLookups

// A fixed pseudo-random visiting order (xorshift), so consecutive requests hit different keys as on a real server.
var order: [Int] = []
var state: UInt64 = 0x9E37_79B9_7F4A_7C15
for _ in 0..<(warmupIterations + measuredIterations) {
    state ^= state << 13
    state ^= state >> 7
    state ^= state << 17
    order.append(Int(state % UInt64(keyCount)))
}

/// The timed loop, off the main actor: top-level code runs there, and each call from it to the verifier would hop
/// to the global executor and back, which is not what a request does.
nonisolated func measure(
    tokens: [Substring], order: [Int], verifier: KeyVerifier, rateLimiter: LocalRateLimits, clientIP: IPAddress?
) async throws -> (samples: [Int64], loopNanoseconds: Int64, sink: Int) {
    var sink = 0
    for iteration in 0..<warmupIterations {
        let verified = try await verifier.verify(token: tokens[order[iteration]], clientIP: clientIP)
        sink &+= await rateLimiter.acquire(verified).remaining
    }
    var samples = [Int64](repeating: 0, count: measuredIterations)
    let loopStart = MonotonicClock.nanoseconds()
    for iteration in 0..<measuredIterations {
        let token = tokens[order[warmupIterations + iteration]]
        let before = MonotonicClock.nanoseconds()
        let verified = try await verifier.verify(token: token, clientIP: clientIP)
        let decision = await rateLimiter.acquire(verified)
        samples[iteration] = MonotonicClock.nanoseconds() - before
        guard decision.allowed else { throw BenchFailure("a key was rate limited; the benchmark measures the allowed path") }
        sink &+= decision.remaining
    }
    return (samples, MonotonicClock.nanoseconds() - loopStart, sink)
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

let (samples, loopNanoseconds, sink) = try await measure(
    tokens: tokens, order: order, verifier: verifier, rateLimiter: rateLimiter, clientIP: clientIP
)
guard store.secretLookups == lookupsBeforeTiming else {
    print("key-bench: timed verifications read storage; they were meant to be cache hits")
    exit(1)
}
let sorted = samples.sorted()
let percentile = { (fraction: Double) -> Int64 in sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))] }
let p99 = percentile(0.99)
let opsPerSecond = Int64(measuredIterations) * 1_000_000_000 / max(1, loopNanoseconds)
print(
    "key-bench: \(measuredIterations) verifications over \(keyCount) keys (cache hit, KeyVerifier + GCRA): "
        + "p50 \(microseconds(percentile(0.5))) µs, p99 \(microseconds(p99)) µs, p99.9 \(microseconds(percentile(0.999))) µs, "
        + "\(opsPerSecond) ops/s (1 task); target p99 < \(targetP99Nanoseconds / 1000) µs: \(p99 < targetP99Nanoseconds ? "PASS" : "FAIL")"
)
try await sqlStore.shutdown()
// Keeps the results observable so the optimiser cannot drop the work.
if sink == Int.min { print(sink) }
