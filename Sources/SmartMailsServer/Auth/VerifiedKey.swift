import HTTPTypes
import NIOCore
import SmartMailsCore
import Synchronization

/// A key as the verifier hands it to a request: the stored key, plus what every request of that key needs and what
/// would otherwise be rebuilt per request. A class because it travels through the middleware chain on every request
/// (one retain, not one per string and set inside `APIKey`), and because it lives exactly as long as the verifier's
/// cache entry: whatever is derived from it below is dropped with it when the key changes or its cache time passes.
final class VerifiedKey: Sendable {
    let key: APIKey
    // Copied out of `key` for the per-request path: reaching into a struct stored in a class to call a method or pass
    // it on copies the whole struct, which for `APIKey` is a reference-count write to each of its strings, on memory
    // that requests on every core share.
    let id: String
    let workspaceID: String
    let rateLimit: RateLimitPolicy
    let accessRules: APIKey.AccessRules
    /// The encoded answer of `GET /v1/me`, built by `MeRoute` on the key's first call after each load. Set once and
    /// then only read, without a lock, so requests on different cores do not write to shared memory to find it.
    let meBody = AtomicLazyReference<EncodedBody>()

    init(_ key: APIKey) {
        self.key = key
        self.id = key.id
        self.workspaceID = key.workspaceID
        self.rateLimit = key.rateLimit
        self.accessRules = key.accessRules
    }
}

/// A response body encoded once and sent many times.
final class EncodedBody: Sendable {
    private let bytes: ByteBuffer

    init(_ bytes: ByteBuffer) {
        self.bytes = bytes
    }

    /// A buffer of the request's own, not the shared one: on its way to the socket NIO retains and releases a
    /// response's buffer some 30 times, and when every request sends the same buffer those writes to its reference
    /// count go to one cache line that both cores keep taking from each other. Copying a few hundred bytes is cheaper.
    func copy() -> ByteBuffer {
        bytes.withUnsafeReadableBytes { ByteBuffer(bytes: $0) }
    }
}
