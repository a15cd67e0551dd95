import Crypto

/// Feeds SHA-256 through a small fixed buffer, so canonicalising a message byte by byte costs no allocation
/// proportional to its size.
struct DKIMHashSink: ~Copyable {
    private var hasher = SHA256()
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private var count = 0

    init(buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    /// Runs `body` with a sink backed by stack (or briefly heap) scratch space.
    static func hashing(_ body: (inout DKIMHashSink) throws -> Void) rethrows -> SHA256.Digest {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { scratch in
            var sink = DKIMHashSink(buffer: scratch)
            try body(&sink)
            return sink.finalize()
        }
    }

    mutating func append(_ byte: UInt8) {
        if count == buffer.count { flush() }
        buffer[count] = byte
        count += 1
    }

    mutating func appendCRLF() {
        append(13)
        append(10)
    }

    /// Large runs go straight to the hasher instead of through the buffer.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count > buffer.count - count {
            flush()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
        } else {
            _ = UnsafeMutableBufferPointer(rebasing: buffer[count...]).initialize(from: bytes)
            count += bytes.count
        }
    }

    private mutating func flush() {
        if count > 0 {
            hasher.update(bufferPointer: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[..<count])))
            count = 0
        }
    }

    consuming func finalize() -> SHA256.Digest {
        flush()
        return hasher.finalize()
    }
}
