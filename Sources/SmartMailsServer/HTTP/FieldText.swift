/// Field values made of literals and non-negative integers, written byte by byte into a string of their exact length.
///
/// `String(someInt)` takes a generic path that allocates, and `+` allocates each intermediate result once it passes
/// 15 bytes; a string of up to 15 bytes made here is stored inline and allocates nothing, a longer one allocates once.
/// These values go on every authenticated response.
enum FieldText {
    /// `value` in decimal; a negative value reads as 0 (counts and seconds are never negative).
    static func decimal(_ value: Int) -> String {
        String(unsafeUninitializedCapacity: digitCount(value)) { buffer in write(value, into: buffer, at: 0) }
    }

    /// `<head><a><middle><b>`, e.g. `"key";q=` 60 `;w=` 60.
    static func join(_ head: StaticString, _ a: Int, _ middle: StaticString, _ b: Int) -> String {
        let length = head.utf8CodeUnitCount + digitCount(a) + middle.utf8CodeUnitCount + digitCount(b)
        return String(unsafeUninitializedCapacity: length) { buffer in
            var end = copy(head, into: buffer, at: 0)
            end = write(a, into: buffer, at: end)
            end = copy(middle, into: buffer, at: end)
            return write(b, into: buffer, at: end)
        }
    }

    private static func digitCount(_ value: Int) -> Int {
        var count = 1
        var rest = max(0, value) / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        return count
    }

    /// Writes `value` at `start`; returns the index after it.
    private static func write(_ value: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        let end = start + digitCount(value)
        var rest = max(0, value)
        var index = end
        repeat {
            index -= 1
            buffer[index] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
            rest /= 10
        } while index > start
        return end
    }

    private static func copy(_ text: StaticString, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        text.withUTF8Buffer { bytes in
            for (offset, byte) in bytes.enumerated() { buffer[start + offset] = byte }
        }
        return start + text.utf8CodeUnitCount
    }
}
