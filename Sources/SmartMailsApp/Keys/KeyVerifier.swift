import SmartMailsCore
import SmartMailsStore
import Synchronization

/// Turns a presented bearer token into an authorised key. A hit costs one SHA-256 and one dictionary lookup; storage
/// is read only on a miss, after the token's format and checksum are checked. Unknown tokens are cached too, so that
/// guessing does not become database load. `KeyService` invalidates an entry the moment it changes the key.
public final class KeyVerifier: Sendable {
    private struct Entry: Sendable {
        /// nil caches "no such key".
        let key: VerifiedKey?
        let secretExpiresAt: Timestamp?
        let loadedAt: Int64
    }

    private struct State {
        var entries: [APIKeyHash: Entry] = [:]
        /// Bumped by every invalidation: a load that began before one must not store what it read, or a request racing
        /// a revocation could put the key back into the cache as valid.
        var generation: UInt64 = 0
    }

    private static let maximumUnknownEntries = 10_000
    private let state = Mutex(State())
    private let store: any APIKeyStore
    private let timeToLive: Int64
    private let rateLimitCells: GCRARateLimiter?

    /// `cacheSeconds` bounds how stale a change made by another process can be; `rateLimitCells` gives each loaded key
    /// its cell when rate limits are kept in this process.
    public init(store: any APIKeyStore, cacheSeconds: Int, rateLimitCells: GCRARateLimiter? = nil) {
        self.store = store
        self.timeToLive = Int64(cacheSeconds) * 1_000_000_000
        self.rateLimitCells = rateLimitCells
    }

    /// Verifies `token` for a request from `clientIP` at `now`.
    public func verify(token: Substring, clientIP: IPAddress?, now: Timestamp = .now) async throws(KeyVerificationError) -> VerifiedKey {
        // Only the length is checked before hashing, so no more than a key's worth of bytes is hashed; a cached token
        // passed the full format check when it was loaded (same SHA-256, same token).
        guard token.utf8.count == APIKeyToken.length else { throw .malformed(.wrongLength) }
        let hash = APIKeyHash(token: token)
        let entry: Entry
        if let cached = freshEntry(for: hash) {
            entry = cached
        } else {
            do {
                _ = try APIKeyToken.validate(token)
            } catch {
                throw .malformed(error)
            }
            entry = try await load(hash: hash)
        }
        guard let verified = entry.key else { throw .unknown }
        do {
            try verified.key.authorize(at: now, secretExpiresAt: entry.secretExpiresAt, clientIP: clientIP)
        } catch {
            throw .rejected(error)
        }
        return verified
    }

    /// Forgets everything cached about `keyID`, so its next request sees the change just made.
    public func invalidate(keyID: String) {
        state.withLock { state in
            state.entries = state.entries.filter { $0.value.key?.id != keyID }
            state.generation &+= 1
        }
    }

    /// Forgets every cached key, e.g. after missing change notifications.
    public func invalidateAll() {
        state.withLock { state in
            state.entries.removeAll()
            state.generation &+= 1
        }
    }

    private func freshEntry(for hash: APIKeyHash) -> Entry? {
        let now = MonotonicClock.nanoseconds()
        return state.withLock { state in
            guard let entry = state.entries[hash], now - entry.loadedAt <= timeToLive else { return nil }
            return entry
        }
    }

    private func load(hash: APIKeyHash) async throws(KeyVerificationError) -> Entry {
        let loadedAt = MonotonicClock.nanoseconds()
        let generation = state.withLock { $0.generation }
        let found: (key: APIKey, secret: APIKeySecret)?
        do {
            found = try await store.keyForSecret(hash: hash)
        } catch is StoredValueError {
            throw .unreadable
        } catch {
            throw .storageUnavailable
        }
        let entry = Entry(
            key: found.map { VerifiedKey($0.key, rateLimitCell: rateLimitCells?.cell(for: $0.key.id)) },
            secretExpiresAt: found?.secret.expiresAt, loadedAt: loadedAt
        )
        state.withLock { state in
            guard state.generation == generation else { return }
            if entry.key == nil, state.entries.count >= Self.maximumUnknownEntries {
                state.entries = state.entries.filter { $0.value.key != nil }
            }
            state.entries[hash] = entry
        }
        return entry
    }
}
