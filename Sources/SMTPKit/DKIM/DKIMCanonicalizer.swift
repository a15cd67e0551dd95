/// The canonicalisation algorithms of RFC 6376 §3.4, writing straight into a hash sink.
enum DKIMCanonicalizer {
    /// One header field (`bytes` is the whole field, name to line end). Simple keeps it byte for byte (bare LF
    /// becomes CRLF, as it will on the wire); relaxed lowercases the name, unfolds, and squeezes whitespace.
    static func header(
        _ bytes: UnsafeBufferPointer<UInt8>,
        nameLength: Int,
        mode: DKIMCanonicalization.Mode,
        withLineEnd: Bool,
        into sink: inout DKIMHashSink
    ) {
        switch mode {
        case .simple:
            var end = bytes.count
            while end > 0, bytes[end - 1] == 10 || bytes[end - 1] == 13 { end -= 1 }
            var previous: UInt8 = 0
            for index in 0..<end {
                let byte = bytes[index]
                if byte == 10, previous != 13 { sink.append(13) }
                sink.append(byte)
                previous = byte
            }
        case .relaxed:
            for index in 0..<nameLength {
                let byte = bytes[index]
                sink.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            }
            sink.append(UInt8(ascii: ":"))
            var index = nameLength
            while index < bytes.count, bytes[index] != UInt8(ascii: ":") { index += 1 }
            index += 1
            var pendingSpace = false
            var wroteValue = false
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case 13, 10: continue
                case 0x20, 0x09: pendingSpace = true
                default:
                    if pendingSpace && wroteValue { sink.append(0x20) }
                    pendingSpace = false
                    wroteValue = true
                    sink.append(byte)
                }
            }
        }
        if withLineEnd { sink.appendCRLF() }
    }

    /// The body from `start`; trailing empty lines are dropped, and simple turns an empty body into one CRLF.
    ///
    /// Generated mail is mostly lines that canonicalise to exactly their own bytes (CRLF-ended, no tab, no double or
    /// trailing space). Such lines, and the bare CRLF lines between them, are hashed straight from the message in one
    /// long run rather than copied line by line through the sink; only lines that change go through the sink.
    static func body(_ message: UnsafeBufferPointer<UInt8>, from start: Int, mode: DKIMCanonicalization.Mode, into sink: inout DKIMHashSink) {
        let raw = UnsafeRawBufferPointer(message)
        let count = message.count
        // Invariant: [runStart, runEnd) is unhashed input equal to its canonical form, and everything from runEnd to
        // the current line is the pending empty lines, which count only if a non-empty line follows them.
        var runStart = start
        var runEnd = start
        var pendingEmptyLines = 0
        var emptyLinesVerbatim = true
        var wroteLine = false
        var lineStart = start
        while lineStart < count {
            let newline = SMTPByteWords.firstIndex(of: 10, in: raw, from: lineStart) ?? count
            let next = newline < count ? newline + 1 : count
            let endsWithCRLF = newline < count && newline > lineStart && message[newline - 1] == 13
            let line = UnsafeBufferPointer(rebasing: message[lineStart..<(endsWithCRLF ? newline - 1 : newline)])
            let shape = mode == .simple ? (line.isEmpty ? .empty : .verbatim) : relaxedShape(line)
            defer { lineStart = next }
            if shape == .empty {
                if pendingEmptyLines == 0 { emptyLinesVerbatim = true }
                if !(line.isEmpty && endsWithCRLF) { emptyLinesVerbatim = false }
                pendingEmptyLines += 1
                continue
            }
            wroteLine = true
            if shape == .verbatim, endsWithCRLF, pendingEmptyLines == 0 || emptyLinesVerbatim {
                runEnd = next
                pendingEmptyLines = 0
                continue
            }
            sink.append(UnsafeBufferPointer(rebasing: message[runStart..<runEnd]))
            flush(&pendingEmptyLines, into: &sink)
            if shape == .verbatim, endsWithCRLF {
                runStart = lineStart
                runEnd = next
                continue
            }
            if shape == .verbatim { sink.append(line) } else { relaxedLine(line, into: &sink) }
            sink.appendCRLF()
            runStart = next
            runEnd = next
        }
        sink.append(UnsafeBufferPointer(rebasing: message[runStart..<runEnd]))
        if mode == .simple, !wroteLine { sink.appendCRLF() }
    }

    private enum LineShape {
        /// Canonically empty: dropped at the end of the body, CRLF elsewhere.
        case empty
        /// Canonically the line itself.
        case verbatim
        /// Has whitespace that relaxed rewrites.
        case rewritten
    }

    /// Whether a relaxed line needs rewriting: a tab, two spaces in a row, or whitespace at the end.
    private static func relaxedShape(_ line: UnsafeBufferPointer<UInt8>) -> LineShape {
        guard let last = line.last else { return .empty }
        if last != 0x20, last != 0x09, !hasTabOrDoubleSpace(UnsafeRawBufferPointer(line)) { return .verbatim }
        return line.allSatisfy { $0 == 0x20 || $0 == 0x09 } ? .empty : .rewritten
    }

    /// Checks 16 bytes and their right neighbours at a time; the last block overlaps the one before rather than
    /// leaving a byte-by-byte tail.
    private static func hasTabOrDoubleSpace(_ line: UnsafeRawBufferPointer) -> Bool {
        let count = line.count
        guard count >= 17 else {
            var previousSpace = false
            for byte in line {
                if byte == 0x09 || (byte == 0x20 && previousSpace) { return true }
                previousSpace = byte == 0x20
            }
            return false
        }
        let tabs = SIMD16<UInt8>(repeating: 0x09)
        let spaces = SIMD16<UInt8>(repeating: 0x20)
        var offset = 0
        while true {
            let block = line.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self)
            let next = line.loadUnaligned(fromByteOffset: offset + 1, as: SIMD16<UInt8>.self)
            if SMTPByteWords.any((block .== tabs) .| (next .== tabs) .| ((block .== spaces) .& (next .== spaces))) { return true }
            if offset == count - 17 { return false }
            offset = min(offset + 16, count - 17)
        }
    }

    /// Writes a relaxed line that has something besides whitespace, without its line end: every whitespace run
    /// before a visible byte becomes one space, and the trailing run is dropped.
    private static func relaxedLine(_ line: UnsafeBufferPointer<UInt8>, into sink: inout DKIMHashSink) {
        var pendingSpace = false
        for byte in line {
            if byte == 0x20 || byte == 0x09 {
                pendingSpace = true
                continue
            }
            if pendingSpace {
                sink.append(0x20)
                pendingSpace = false
            }
            sink.append(byte)
        }
    }

    private static func flush(_ pendingEmptyLines: inout Int, into sink: inout DKIMHashSink) {
        while pendingEmptyLines > 0 {
            sink.appendCRLF()
            pendingEmptyLines -= 1
        }
    }
}
