import Foundation
import HTTPTypes
import SmartMailsCore
import SmartMailsStore
import Synchronization

/// Turns a presented bearer token into an authorised key. The hot path is one SHA-256 and one dictionary lookup in
/// the calling thread's copy of the cache; the format and checksum are checked on a cache miss, before storage is
/// read, which happens only then. Unknown tokens are cached too, so guessing does not become database load. Changes
/// made through `KeyService` invalidate entries at once, in every copy.
final class KeyVerifier: Sendable {
    private struct Entry: Sendable {
        /// nil caches "no such key".
        let key: VerifiedKey?
        let secretExpiresAt: Timestamp?
        let loadedAt: Int64
    }

    private struct State {
        var entries: [APIKeyHash: Entry] = [:]
        /// Bumped by every invalidation. A load that began before one must not store what it read, or a request
        /// racing a revocation could put the key back into the cache as valid.
        var generation: UInt64 = 0

        mutating func insert(_ entry: Entry, for hash: APIKeyHash) {
            if entry.key == nil, entries.count >= KeyVerifier.maximumUnknownEntries {
                entries = entries.filter { $0.value.key != nil }
            }
            entries[hash] = entry
        }

        mutating func forget(keyID: String?) {
            if let keyID {
                entries = entries.filter { $0.value.key?.id != keyID }
            } else {
                entries.removeAll()
            }
            generation &+= 1
        }
    }

    private static let maximumUnknownEntries = 10_000
    private static let shardBits = 3
    static let shardCount = 1 << shardBits
    /// What storage said, for every thread; a lookup that misses its shard copies from here.
    private let shared = Mutex(State())
    /// Per-thread copies of `shared`'s entries: a cache hit locks only its own shard, so requests for one key on
    /// different cores do not take turns at one lock or pass its cache line between them.
    private let shards = LockedShard<State>.perThread(bits: KeyVerifier.shardBits) { State() }
    private let store: any APIKeyStore
    private let timeToLive: Int64
    private let rateLimitCells: GCRARateLimiter?

    /// `rateLimitCells`: where a loaded key gets its rate-limit cell from, when limits are kept in this process.
    init(store: any APIKeyStore, cacheSeconds: Int, rateLimitCells: GCRARateLimiter? = nil) {
        self.store = store
        self.timeToLive = Int64(cacheSeconds) * 1_000_000_000
        self.rateLimitCells = rateLimitCells
    }

    /// Verifies `token` for a request from `clientIP` at `now`; throws the API error that explains a refusal.
    func verify(token: Substring, clientIP: IPAddress?, now: Timestamp = .now) async throws(APIError) -> VerifiedKey {
        let hash = try Self.hash(of: token)
        let entry: Entry
        if let cached = freshEntry(for: hash, shard: ThreadShards.index(bits: Self.shardBits)) {
            entry = cached
        } else {
            try Self.validate(token)
            entry = try await load(hash: hash)
        }
        return try Self.check(entry, clientIP: clientIP, now: now)
    }

    /// `verify` on a cache hit, without a suspension point (which costs a task switch on every request); nil when
    /// the token has no fresh cache entry and `verify` must load it. A token that is not even well-formed is refused
    /// here too: a client sending garbage by the thousand then costs no suspension and no second hash either.
    func verifyCached(token: Substring, clientIP: IPAddress?, now: Timestamp = .now) throws(APIError) -> VerifiedKey? {
        try verifyCached(token: token, clientIP: clientIP, now: now, shard: ThreadShards.index(bits: Self.shardBits))
    }

    /// `verifyCached` through the copy of the cache numbered `shard` (below `shardCount`), as a thread of that shard
    /// would: lets tests reach every copy, whichever threads they happen to run on.
    func verifyCached(token: Substring, clientIP: IPAddress?, now: Timestamp = .now, shard: Int) throws(APIError) -> VerifiedKey? {
        guard let entry = freshEntry(for: try Self.hash(of: token), shard: shard) else {
            try Self.validate(token)
            return nil
        }
        return try Self.check(entry, clientIP: clientIP, now: now)
    }

    /// The token's hash, the cache's key. Only the length is checked first, so that no more than a key's worth of
    /// bytes is ever hashed; the full format check (`validate`, a CRC over every character) runs on a cache miss,
    /// before storage is read. A token found in the cache passed it when it was loaded: its SHA-256 says it is the
    /// very same token. Checking it again on every request cost more than the hash itself.
    private static func hash(of token: Substring) throws(APIError) -> APIKeyHash {
        guard token.utf8.count == APIKeyToken.length else { throw malformed(.wrongLength) }
        return APIKeyHash(token: token)
    }

    private static func validate(_ token: Substring) throws(APIError) {
        do {
            _ = try APIKeyToken.validate(token)
        } catch {
            throw malformed(error)
        }
    }

    private static func malformed(_ error: APIKeyFormatError) -> APIError {
        .unauthorized("malformed_api_key", describe(error))
    }

    private func freshEntry(for hash: APIKeyHash, shard index: Int) -> Entry? {
        let shard = shards[index]
        let (local, generation) = shard.state.withLock { ($0.entries[hash], $0.generation) }
        let now = MonotonicClock.nanoseconds()
        if let local, now - local.loadedAt <= timeToLive { return local }
        guard let found = shared.withLock({ $0.entries[hash] }), now - found.loadedAt <= timeToLive else { return nil }
        // The shard gets a verified key of its own: every request retains and releases the one it uses, and with one
        // object for all threads those writes would go to memory that the cores keep taking from each other. The copy
        // shares the key's rate-limit cell, so the key still has one allowance.
        let copy = Entry(key: found.key?.copy(), secretExpiresAt: found.secretExpiresAt, loadedAt: found.loadedAt)
        // Not stored if an invalidation ran since the shard was read: it may have cleared `shared` after `found` was
        // read from it.
        shard.state.withLock { state in
            if state.generation == generation { state.insert(copy, for: hash) }
        }
        return copy
    }

    private static func check(_ entry: Entry, clientIP: IPAddress?, now: Timestamp) throws(APIError) -> VerifiedKey {
        guard let verified = entry.key else {
            throw .unauthorized("invalid_api_key", "This API key does not exist. Check that it was copied whole, or create a new one.")
        }
        do {
            try verified.accessRules.authorize(at: now, secretExpiresAt: entry.secretExpiresAt, clientIP: clientIP)
        } catch {
            throw refusal(for: error)
        }
        return verified
    }

    /// Forgets everything cached about `keyID`, so its next request sees the change just made.
    func invalidate(keyID: String) {
        forget(keyID: keyID)
    }

    /// Forgets every cached key, e.g. after missing change notifications.
    func invalidateAll() {
        forget(keyID: nil)
    }

    /// `shared` first: from then on no lookup can copy a forgotten entry into a shard (see `freshEntry`).
    private func forget(keyID: String?) {
        shared.withLock { $0.forget(keyID: keyID) }
        for shard in shards {
            shard.state.withLock { $0.forget(keyID: keyID) }
        }
    }

    private func load(hash: APIKeyHash) async throws(APIError) -> Entry {
        let clock = MonotonicClock.nanoseconds()
        let generation = shared.withLock { $0.generation }
        let found: (key: APIKey, secret: APIKeySecret)?
        do {
            found = try await store.keyForSecret(hash: hash)
        } catch {
            throw APIError(status: .serviceUnavailable, kind: .api, code: "storage_unavailable", message: "Keys cannot be verified right now; retry shortly.")
        }
        let entry = Entry(
            key: found.map { VerifiedKey($0.key, rateLimitCell: rateLimitCells?.cell(for: $0.key.id)) }, secretExpiresAt: found?.secret.expiresAt, loadedAt: clock)
        shared.withLock { state in
            if state.generation == generation { state.insert(entry, for: hash) }
        }
        return entry
    }

    private static func describe(_ error: APIKeyFormatError) -> String {
        switch error {
        case .wrongLength: "API keys are 46 characters long (sm_live_ or sm_test_, then 38 more). This one is not: it may be truncated."
        case .unknownPrefix: "API keys start with sm_live_ or sm_test_."
        case .invalidCharacter: "This API key contains characters that SmartMails keys never have."
        case .badChecksum: "This API key's checksum does not match: a character is wrong. Copy the key again."
        }
    }

    private static func refusal(for rejection: KeyRejection) -> APIError {
        switch rejection {
        case .revoked(let at):
            .unauthorized("api_key_revoked", "This API key was revoked at \(format(at)). Create a new key.")
        case .expired(let at):
            .unauthorized("api_key_expired", "This API key expired at \(format(at)). Create a new key, or set a new expiry with a key that holds keys:admin.")
        case .rolledSecretExpired(let at):
            .unauthorized("api_key_expired", "This secret was replaced when the key was rolled and stopped working at \(format(at)). Use the key's new secret.")
        case .ipNotAllowed(let address):
            .forbidden("ip_not_allowed", "This API key may not be used from \(address.map(String.init(describing:)) ?? "an unknown address"). Add the address to the key's allowed_ips.")
        }
    }

    /// The same RFC 3339 form the API's timestamps have, so a message can be compared with `revoked_at`.
    static func format(_ timestamp: Timestamp) -> String {
        UTCDateTranscoder.rfc3339(timestamp.date)
    }
}
