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
import Synchronization

let keyCount = 1_000
let warmupIterations = 20_000
let measuredIterations = 200_000
let targetP99Nanoseconds: Int64 = 20_000

/// The store, counting the secret lookups that would mean a cache miss.
final class CountingKeyStore: APIKeyStore {
    let store: SQLStore
    let lookups = Atomic(0)
    init(_ store: SQLStore) { self.store = store }

    func keyForSecret(hash: APIKeyHash) async throws -> (key: APIKey, secret: APIKeySecret)? {
        lookups.add(1, ordering: .relaxed)
        return try await store.keyForSecret(hash: hash)
    }
    func insertKey(_ key: APIKey, secret: APIKeySecret, audit: AuditEvent) async throws { try await store.insertKey(key, secret: secret, audit: audit) }
    func key(id: String, workspaceID: String) async throws -> APIKey? { try await store.key(id: id, workspaceID: workspaceID) }
    func keys(workspaceID: String, limit: Int, afterID: String?, includeRevoked: Bool) async throws -> [APIKey] {
        try await store.keys(workspaceID: workspaceID, limit: limit, afterID: afterID, includeRevoked: includeRevoked)
    }
    func updateKey(_ key: APIKey, audit: AuditEvent) async throws -> Bool { try await store.updateKey(key, audit: audit) }
    func rollKey(
        id: String, workspaceID: String, newSecret: APIKeySecret, displayPrefix: String, lastFour: String,
        previousSecretsExpireAt: Timestamp, audit: AuditEvent
    ) async throws -> Bool {
        try await store.rollKey(
            id: id, workspaceID: workspaceID, newSecret: newSecret, displayPrefix: displayPrefix, lastFour: lastFour,
            previousSecretsExpireAt: previousSecretsExpireAt, audit: audit
        )
    }
    func revokeKey(id: String, workspaceID: String, at: Timestamp, audit: AuditEvent) async throws -> Bool {
        try await store.revokeKey(id: id, workspaceID: workspaceID, at: at, audit: audit)
    }
    func followKeyChanges(_ onChange: @escaping @Sendable (String) -> Void) async throws -> Bool { try await store.followKeyChanges(onChange) }
}

func microseconds(_ nanoseconds: Int64) -> String {
    String(format: "%.2f", Double(nanoseconds) / 1000)
}

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("key-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
let sqlStore = try await SQLStore.open(databaseURL: nil, sqlitePath: directory.appendingPathComponent("bench.sqlite").path, logger: Logger(label: "key-bench"))
let workspace = try await Bootstrap.createWorkspace(storage: sqlStore, slug: "bench", name: "Bench", ownerEmail: "bench@example.com")
let store = CountingKeyStore(sqlStore)
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
let lookupsBeforeTiming = store.lookups.load(ordering: .relaxed)

// A fixed pseudo-random visiting order (xorshift), so consecutive requests hit different keys as on a real server.
var order: [Int] = []
var state: UInt64 = 0x9E37_79B9_7F4A_7C15
for _ in 0..<(warmupIterations + measuredIterations) {
    state ^= state << 13
    state ^= state >> 7
    state ^= state << 17
    order.append(Int(state % UInt64(keyCount)))
}

@inline(never)
func authorize(_ token: Substring) async throws -> GCRA.Decision {
    let verified = try await verifier.verify(token: token, clientIP: clientIP)
    return await rateLimiter.acquire(verified)
}

var sink = 0
for iteration in 0..<warmupIterations {
    sink &+= try await authorize(tokens[order[iteration]]).remaining
}
var samples = [Int64](repeating: 0, count: measuredIterations)
let loopStart = MonotonicClock.nanoseconds()
for iteration in 0..<measuredIterations {
    let token = tokens[order[warmupIterations + iteration]]
    let before = MonotonicClock.nanoseconds()
    let decision = try await authorize(token)
    samples[iteration] = MonotonicClock.nanoseconds() - before
    guard decision.allowed else { print("key-bench: a key was rate limited; the benchmark measures the allowed path"); exit(1) }
    sink &+= decision.remaining
}
let loopNanoseconds = MonotonicClock.nanoseconds() - loopStart
guard store.lookups.load(ordering: .relaxed) == lookupsBeforeTiming else {
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
