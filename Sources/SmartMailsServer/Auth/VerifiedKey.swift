import HTTPTypes
import NIOCore
import SmartMailsCore
import Synchronization

/// A key as the verifier hands it to a request: the stored key, plus what every request of that key needs and what
/// would otherwise be rebuilt per request. A class because it travels through the middleware chain on every request
/// (one retain, not one per string and set inside `APIKey`), and because it lives exactly as long as the verifier's
/// cache entry: whatever is derived from it below is dropped with it when the key changes or its cache time passes.
/// The verifier keeps one per thread shard (`copy()`), so that the retains of requests on different cores land on
/// different objects.
final class VerifiedKey: Sendable {
    let key: APIKey
    // Copied out of `key` for the per-request path: reaching into a struct stored in a class to call a method or pass
    // it on copies the whole struct, which for `APIKey` is a reference-count write to each of its strings, on memory
    // that requests on every core share.
    let id: String
    let workspaceID: String
    let rateLimit: RateLimitPolicy
    let accessRules: APIKey.AccessRules
    /// The key's in-memory rate-limit state, shared by every `VerifiedKey` of the key (all its secrets, every
    /// reload); nil when limits are kept elsewhere (in PostgreSQL, for several nodes).
    let rateLimitCell: GCRACell?
    /// The rate-limit and request-id fields of this key's answers. Each thread shard's copy has its own, so that
    /// the reference count of the template, written on every response, stays with one core.
    let answerFields: RateLimitFieldTemplate
    /// The encoded answer of `GET /v1/me`, built by `MeRoute` on the key's first call after each load, then only
    /// read. Behind a lock of this copy's own (uncontended: one thread shard uses it) rather than in an
    /// `AtomicLazyReference`, whose `load` is not specialized for the caller and looked up its generic type's
    /// metadata on every request.
    private let encodedMe = Mutex<EncodedBody?>(nil)

    var meBody: EncodedBody? {
        encodedMe.withLock { $0 }
    }

    /// Keeps `body` as the answer of `GET /v1/me` unless one was kept meanwhile; returns the one kept.
    func keepMeBody(_ body: EncodedBody) -> EncodedBody {
        encodedMe.withLock { kept in
            if let kept { return kept }
            kept = body
            return body
        }
    }

    /// The same key and rate-limit cell in an object of its own, with its own `meBody`.
    func copy() -> VerifiedKey {
        VerifiedKey(key, rateLimitCell: rateLimitCell)
    }

    init(_ key: APIKey, rateLimitCell: GCRACell? = nil) {
        self.key = key
        self.rateLimitCell = rateLimitCell
        self.id = key.id
        self.workspaceID = key.workspaceID
        self.rateLimit = key.rateLimit
        self.accessRules = key.accessRules
        self.answerFields = RateLimitFieldTemplate(policy: key.rateLimit)
    }
}

/// An answer's body encoded once and sent many times, with the answer's fields: Content-Type and Content-Length,
/// then the key's rate-limit fields.
///
/// The bytes are kept in memory of its own rather than in a `ByteBuffer`: reading a `ByteBuffer` stored in a shared
/// object retains and releases its storage, a write to memory that every request of the key shares. They are
/// written once, in `init`, and only read after that, which is why the class may be shared (`@unchecked Sendable`).
final class EncodedBody: @unchecked Sendable {
    private let bytes: UnsafeMutableRawBufferPointer
    let answerFields: RateLimitFieldTemplate

    init(_ buffer: ByteBuffer, contentType: String, rateLimit policy: RateLimitPolicy) {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.readableBytes, alignment: 1)
        buffer.withUnsafeReadableBytes { bytes.copyMemory(from: $0) }
        self.bytes = bytes
        answerFields = RateLimitFieldTemplate(policy: policy, leading: [
            HTTPField(name: .contentType, value: contentType),
            HTTPField(name: .contentLength, value: String(buffer.readableBytes)),
        ])
    }

    deinit {
        bytes.deallocate()
    }

    /// A buffer of the request's own, not a shared one: on its way to the socket NIO retains and releases a
    /// response's buffer some 30 times, and when every request sends the same buffer those writes to its reference
    /// count go to one cache line that both cores keep taking from each other. Copying a few hundred bytes is cheaper.
    func copy() -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
        buffer.writeBytes(UnsafeRawBufferPointer(bytes))
        return buffer
    }
}
