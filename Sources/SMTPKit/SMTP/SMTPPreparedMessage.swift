import NIOCore

/// A message in its wire form (CRLF line ends, leading dots doubled), prepared once so that every send of it only writes it.
///
/// When the input already is in wire form, which is the common case for generated mail, its buffer is used as is, without a copy.
public struct SMTPPreparedMessage: Sendable, Hashable {
    /// The dot-stuffed, CRLF-normalised bytes, without the terminating `.` line.
    public let wireBytes: ByteBuffer
    /// True when any byte is 8-bit, so the server must offer 8BITMIME.
    public let has8BitData: Bool
    /// True when the header section has non-ASCII bytes, so the server must offer SMTPUTF8 (RFC 6532).
    public let headersNeedSMTPUTF8: Bool
    /// False when the last line lacks its CRLF; the terminator then adds it.
    let endsWithLineBreak: Bool

    /// The size sent as the `SIZE=` parameter and checked against the server's limit.
    public var size: Int { self.wireBytes.readableBytes + (self.endsWithLineBreak ? 0 : 2) }

    public init(_ message: ByteBuffer) {
        let scan = message.withUnsafeReadableBytes { Self.scan($0) }
        self.has8BitData = scan.has8Bit
        self.headersNeedSMTPUTF8 = scan.headers8Bit
        if scan.needsRewrite {
            self.wireBytes = message.withUnsafeReadableBytes { Self.rewrite($0) }
            self.endsWithLineBreak = true
        } else {
            self.wireBytes = message
            self.endsWithLineBreak = message.readableBytes == 0 || scan.endsWithCRLF
        }
    }

    public init(_ message: String) {
        self.init(ByteBuffer(string: message))
    }

    private struct Scan {
        var needsRewrite = false
        var has8Bit = false
        var headers8Bit = false
        var endsWithCRLF = false
    }

    private static func scan(_ bytes: UnsafeRawBufferPointer) -> Scan {
        var result = Scan()
        var atLineStart = true
        var previousWasCR = false
        var inHeaders = true
        var lineLength = 0
        let carriageReturns = SMTPByteWords.repeating(UInt8(ascii: "\r"))
        let lineFeeds = SMTPByteWords.repeating(UInt8(ascii: "\n"))
        let carriageReturnBlock = SIMD16<UInt8>(repeating: UInt8(ascii: "\r"))
        let lineFeedBlock = SIMD16<UInt8>(repeating: UInt8(ascii: "\n"))
        let eightBitBlock = SIMD16<UInt8>(repeating: 0x80)
        var index = 0
        while index < bytes.count {
            // Mid-line blocks without a CR, LF or 8-bit byte change nothing but the line length, so most of a message
            // is checked 32 bytes at a time, then a word at a time to find the first byte that matters; the bytes up
            // to it go through the state machine.
            var stop = index + 1
            if !atLineStart, !previousWasCR, index + 32 <= bytes.count {
                let low = bytes.loadUnaligned(fromByteOffset: index, as: SIMD16<UInt8>.self)
                let high = bytes.loadUnaligned(fromByteOffset: index + 16, as: SIMD16<UInt8>.self)
                let special = (low .== carriageReturnBlock) .| (low .== lineFeedBlock) .| (low .>= eightBitBlock)
                    .| (high .== carriageReturnBlock) .| (high .== lineFeedBlock) .| (high .>= eightBitBlock)
                if !SMTPByteWords.any(special) {
                    lineLength += 32
                    index += 32
                    continue
                }
            }
            if !atLineStart, !previousWasCR, index + 8 <= bytes.count {
                let word = SMTPByteWords.load(bytes, at: index)
                let special = (word & SMTPByteWords.high) | SMTPByteWords.matching(word, carriageReturns)
                    | SMTPByteWords.matching(word, lineFeeds)
                if special == 0 {
                    lineLength += 8
                    index += 8
                    continue
                }
                stop = index + special.trailingZeroBitCount / 8 + 1
            }
            while index < stop {
                let byte = bytes[index]
                index += 1
                if previousWasCR && byte != UInt8(ascii: "\n") {
                    result.needsRewrite = true
                }
                switch byte {
                case UInt8(ascii: "\n"):
                    if !previousWasCR { result.needsRewrite = true }
                    if lineLength == 0 { inHeaders = false }
                    atLineStart = true
                    lineLength = 0
                case UInt8(ascii: "\r"):
                    break
                default:
                    if atLineStart && byte == UInt8(ascii: ".") { result.needsRewrite = true }
                    if byte >= 0x80 {
                        result.has8Bit = true
                        if inHeaders { result.headers8Bit = true }
                    }
                    atLineStart = false
                    lineLength += 1
                }
                previousWasCR = byte == UInt8(ascii: "\r")
            }
        }
        if previousWasCR { result.needsRewrite = true }
        result.endsWithCRLF = bytes.count >= 2 && bytes[bytes.count - 2] == UInt8(ascii: "\r") && bytes[bytes.count - 1] == UInt8(ascii: "\n")
        return result
    }

    /// Writes the wire form: every line break becomes CRLF, a leading dot is doubled, and the last line gets its CRLF.
    private static func rewrite(_ input: UnsafeRawBufferPointer) -> ByteBuffer {
        var output = ByteBufferAllocator().buffer(capacity: input.count + input.count / 32 + 16)
        // Worst case every byte is a lone LF or a leading dot: twice the input plus the final CRLF.
        output.writeWithUnsafeMutableBytes(minimumWritableBytes: input.count * 2 + 2) { out in
            var written = 0
            var atLineStart = true
            var index = 0
            while index < input.count {
                let byte = input[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                    if byte == UInt8(ascii: "\r"), index < input.count, input[index] == UInt8(ascii: "\n") {
                        index += 1
                    }
                    out[written] = UInt8(ascii: "\r")
                    out[written + 1] = UInt8(ascii: "\n")
                    written += 2
                    atLineStart = true
                default:
                    if atLineStart && byte == UInt8(ascii: ".") {
                        out[written] = byte
                        written += 1
                    }
                    out[written] = byte
                    written += 1
                    atLineStart = false
                }
            }
            if !atLineStart {
                out[written] = UInt8(ascii: "\r")
                out[written + 1] = UInt8(ascii: "\n")
                written += 2
            }
            return written
        }
        return output
    }
}
