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
    static func body(_ message: UnsafeBufferPointer<UInt8>, from start: Int, mode: DKIMCanonicalization.Mode, into sink: inout DKIMHashSink) {
        var pendingEmptyLines = 0
        var wroteLine = false
        var lineStart = start
        let count = message.count
        while lineStart < count {
            var lineEnd = lineStart
            while lineEnd < count, message[lineEnd] != 10 { lineEnd += 1 }
            let next = lineEnd < count ? lineEnd + 1 : count
            if lineEnd > lineStart, message[lineEnd - 1] == 13, lineEnd < count { lineEnd -= 1 }
            let line = UnsafeBufferPointer(rebasing: message[lineStart..<lineEnd])
            switch mode {
            case .simple:
                if line.isEmpty {
                    pendingEmptyLines += 1
                } else {
                    flush(&pendingEmptyLines, into: &sink)
                    sink.append(line)
                    sink.appendCRLF()
                    wroteLine = true
                }
            case .relaxed:
                if relaxedLine(line, pendingEmptyLines: &pendingEmptyLines, into: &sink) { wroteLine = true }
            }
            lineStart = next
        }
        if mode == .simple, !wroteLine { sink.appendCRLF() }
    }

    /// Writes a relaxed line (inner whitespace runs as one space, none at the end) unless it is empty;
    /// empty lines are only counted, and written once a non-empty line follows them.
    private static func relaxedLine(
        _ line: UnsafeBufferPointer<UInt8>,
        pendingEmptyLines: inout Int,
        into sink: inout DKIMHashSink
    ) -> Bool {
        // Most lines need no change: no tab, no double space, no trailing space. Hash those in one call.
        var previousSpace = false
        var clean = true
        for byte in line {
            if byte == 0x09 || (byte == 0x20 && previousSpace) {
                clean = false
                break
            }
            previousSpace = byte == 0x20
        }
        if clean, !previousSpace, !line.isEmpty {
            flush(&pendingEmptyLines, into: &sink)
            sink.append(line)
            sink.appendCRLF()
            return true
        }
        var pendingSpace = false
        var wroteAny = false
        for byte in line {
            if byte == 0x20 || byte == 0x09 {
                pendingSpace = true
                continue
            }
            if !wroteAny {
                flush(&pendingEmptyLines, into: &sink)
                wroteAny = true
            }
            if pendingSpace {
                sink.append(0x20)
                pendingSpace = false
            }
            sink.append(byte)
        }
        if wroteAny {
            sink.appendCRLF()
        } else {
            pendingEmptyLines += 1
        }
        return wroteAny
    }

    private static func flush(_ pendingEmptyLines: inout Int, into sink: inout DKIMHashSink) {
        while pendingEmptyLines > 0 {
            sink.appendCRLF()
            pendingEmptyLines -= 1
        }
    }
}
