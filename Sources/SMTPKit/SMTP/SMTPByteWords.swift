#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Word- and block-at-a-time tests for the per-message scans (wire-form check, DKIM canonicalisation): mail is mostly
/// plain ASCII lines, and checking 8 or 16 bytes at once instead of one keeps those scans well below the cost of
/// hashing the message.
enum SMTPByteWords {
    static let high: UInt64 = 0x8080_8080_8080_8080
    private static let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    static func repeating(_ byte: UInt8) -> UInt64 { UInt64(byte) &* 0x0101_0101_0101_0101 }

    /// 0x80 in exactly the bytes of `word` that are zero (no borrow between bytes, so the mask can be combined bytewise).
    @inline(__always)
    static func zeroBytes(_ word: UInt64) -> UInt64 {
        ~(((word & low7) &+ low7) | word | low7)
    }

    /// Nonzero when some byte of `word` is zero. Cheaper than `zeroBytes`; the borrow may mark bytes above a zero
    /// byte too, so only the yes/no answer is exact.
    @inline(__always)
    static func hasZeroByte(_ word: UInt64) -> Bool {
        (word &- 0x0101_0101_0101_0101) & ~word & high != 0
    }

    /// 0x80 in exactly the bytes of `word` equal to the byte repeated in `pattern`.
    @inline(__always)
    static func matching(_ word: UInt64, _ pattern: UInt64) -> UInt64 {
        zeroBytes(word ^ pattern)
    }

    /// The little-endian word at `offset`; the caller guarantees eight readable bytes.
    @inline(__always)
    static func load(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// True when any lane is set. The standard library's any() is a generic reduction that is not inlined on Linux
    /// and costs more than the comparisons; a mask lane is all ones or all zeros, so two words tell the same.
    @inline(__always)
    static func any(_ mask: SIMDMask<SIMD16<Int8>>) -> Bool {
        let words = unsafeBitCast(mask, to: SIMD2<UInt64>.self)
        return words[0] | words[1] != 0
    }

    /// The first `byte` at or after `start`, or nil; memchr, which reads many bytes per step.
    @inline(__always)
    static func firstIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(byte), bytes.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }
}
