/// A streaming RFC 4180 reader: bytes go in chunk by chunk and records come out, so memory stays bounded by the
/// longest record however large the file (million-row contact imports).
///
/// Chunks may split anywhere: inside a field, a CRLF, a UTF-8 character, a `""` escape or the byte order mark.
public struct CSVReader: Sendable {
    /// The field separator; nil until it is detected from the first record when not given.
    public private(set) var delimiter: UInt8?
    /// The longest record accepted, in bytes; a longer one fails instead of being buffered.
    private let maximumRecordBytes: Int

    private enum Phase: Sendable { case byteOrderMark, detectingDelimiter, parsing }
    private enum State: Sendable { case recordStart, afterCarriageReturn, fieldStart, unquoted, quoted, quoteInQuoted }

    private static let quote = UInt8(ascii: "\"")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")]
    /// Byte class bits: 1 ends a run of unquoted text, 2 ends a run of quoted text.
    private static let endsUnquoted: UInt8 = 1, endsQuoted: UInt8 = 2

    private var phase = Phase.byteOrderMark
    private var state = State.recordStart
    private var failure: CSVError?
    /// Input held back while the byte order mark or the delimiter is undecided.
    private var held: [UInt8] = []
    private var classes: [UInt8] = []
    /// The current field's bytes when it has quotes or spans chunks; other fields become Strings straight from the chunk.
    private var field: [UInt8] = []
    private var fields: [String] = []
    /// The physical line of the next byte, the line the current record started on, and the line its quoted field opened on.
    private var line = 1, recordLine = 1, fieldLine = 1
    /// Bytes parsed before the current chunk, and the position of the first byte past the current record's limit.
    private var consumed = 0, limitPosition = Int.max
    private var detectionState = State.fieldStart
    private var detectionScanned = 0
    private var detectionContentStart: Int?
    private var detectionCounts = [0, 0, 0]

    /// - Parameters:
    ///   - delimiter: nil to detect it from the first record (the header): whichever of `,` `;` `\t` occurs most
    ///     outside quotes, `,` when none does.
    ///   - maximumRecordBytes: the longest record accepted, so a stray quote cannot make the reader buffer the whole file.
    public init(delimiter: UInt8? = nil, maximumRecordBytes: Int = 1 << 20) {
        if let delimiter {
            precondition(![Self.quote, Self.carriageReturn, Self.lineFeed, 0].contains(delimiter), "Invalid CSV delimiter")
        }
        self.delimiter = delimiter
        self.maximumRecordBytes = max(1, min(maximumRecordBytes, Int.max / 4))
        if let delimiter { classes = Self.classes(delimiter: delimiter) }
    }

    /// Feeds the next chunk and returns the records it completes.
    public mutating func feed(_ chunk: some Collection<UInt8>) throws(CSVError) -> [CSVRecord] {
        if let failure { throw failure }
        var records: [CSVRecord] = []
        do throws(CSVError) {
            if phase == .parsing {
                let result = chunk.withContiguousStorageIfAvailable { buffer in
                    Result { () throws(CSVError) in try parse(buffer, into: &records) }
                }
                if let result {
                    try result.get()
                } else {
                    try Array(chunk).withUnsafeBufferPointer { buffer throws(CSVError) in try parse(buffer, into: &records) }
                }
            } else {
                held.append(contentsOf: chunk)
                try processHeld(final: false, into: &records)
            }
        } catch {
            failure = error
            throw error
        }
        return records
    }

    /// Ends the input: returns the last record if the file did not end with a line break.
    public mutating func finish() throws(CSVError) -> [CSVRecord] {
        if let failure { throw failure }
        var records: [CSVRecord] = []
        do throws(CSVError) {
            if phase != .parsing { try processHeld(final: true, into: &records) }
            switch state {
            case .recordStart, .afterCarriageReturn:
                break
            case .quoted:
                throw CSVError.unterminatedQuote(line: fieldLine)
            case .fieldStart, .unquoted:
                try appendBufferedField(startLine: line)
                records.append(CSVRecord(fields: fields, line: recordLine))
            case .quoteInQuoted:
                try appendBufferedField(startLine: fieldLine)
                records.append(CSVRecord(fields: fields, line: recordLine))
            }
            fields.removeAll()
            state = .recordStart
        } catch {
            failure = error
            throw error
        }
        return records
    }

    // MARK: - Start of input

    /// Skips the byte order mark and detects the delimiter, then parses what was held back once both are settled.
    private mutating func processHeld(final: Bool, into records: inout [CSVRecord]) throws(CSVError) {
        if phase == .byteOrderMark {
            guard let length = try byteOrderMarkLength(final: final) else { return }
            held.removeFirst(length)
            phase = delimiter == nil ? .detectingDelimiter : .parsing
        }
        if phase == .detectingDelimiter {
            guard try detectDelimiter(final: final) else { return }
            phase = .parsing
        }
        let bytes = held
        held = []
        try bytes.withUnsafeBufferPointer { buffer throws(CSVError) in try parse(buffer, into: &records) }
    }

    /// The length of a UTF-8 byte order mark at the start of `held`, 0 when there is none, nil while undecided.
    private func byteOrderMarkLength(final: Bool) throws(CSVError) -> Int? {
        guard let first = held.first else { return final ? 0 : nil }
        switch first {
        case 0xEF:
            let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
            let count = min(held.count, mark.count)
            guard held.prefix(count).elementsEqual(mark.prefix(count)) else { return 0 }
            return count == mark.count ? count : (final ? 0 : nil)
        case 0xFF, 0xFE:
            guard held.count >= 2 else { return final ? 0 : nil }
            if held[1] == (first == 0xFF ? 0xFE : 0xFF) { throw .utf16 }
            return 0
        default:
            return 0
        }
    }

    /// Scans `held` for the end of the first record, counting candidate delimiters outside quotes; true once decided.
    private mutating func detectDelimiter(final: Bool) throws(CSVError) -> Bool {
        var index = detectionScanned
        defer { detectionScanned = index }
        while index < held.count {
            let byte = held[index]
            if byte == 0 { throw .utf16 }
            if detectionState == .quoted {
                if byte == Self.quote { detectionState = .quoteInQuoted }
            } else if byte == Self.carriageReturn || byte == Self.lineFeed {
                if detectionContentStart != nil { break }
                detectionState = .fieldStart
            } else {
                if detectionContentStart == nil { detectionContentStart = index }
                if byte == Self.quote && detectionState != .unquoted {
                    detectionState = .quoted
                } else if let candidate = Self.candidates.firstIndex(of: byte) {
                    detectionCounts[candidate] += 1
                    detectionState = .fieldStart
                } else {
                    detectionState = .unquoted
                }
            }
            // Past the limit the parser reports the record as too long; no need to hold more.
            if let start = detectionContentStart, index - start >= maximumRecordBytes { break }
            index += 1
        }
        guard index < held.count || final else { return false }
        var best = 0
        for candidate in 1..<Self.candidates.count where detectionCounts[candidate] > detectionCounts[best] {
            best = candidate
        }
        delimiter = Self.candidates[best]
        classes = Self.classes(delimiter: Self.candidates[best])
        return true
    }

    private static func classes(delimiter: UInt8) -> [UInt8] {
        var classes = [UInt8](repeating: 0, count: 256)
        classes[Int(delimiter)] = endsUnquoted
        classes[Int(quote)] = endsQuoted
        for byte in [carriageReturn, lineFeed, 0] { classes[Int(byte)] = endsUnquoted | endsQuoted }
        return classes
    }

    // MARK: - Parsing

    private mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>, into records: inout [CSVRecord]) throws(CSVError) {
        let classes = self.classes
        try classes.withUnsafeBufferPointer { table throws(CSVError) in try parse(bytes, table: table, into: &records) }
    }

    /// The state machine. Runs of ordinary bytes are skipped with a table lookup each and copied (or turned into a
    /// String) in one go; scans stop at the record limit so an oversized record is reported as soon as it passes it.
    private mutating func parse(
        _ bytes: UnsafeBufferPointer<UInt8>,
        table: UnsafeBufferPointer<UInt8>,
        into records: inout [CSVRecord]
    ) throws(CSVError) {
        let end = bytes.count
        guard let delimiter else { preconditionFailure("CSVReader parsed before its delimiter was known") }
        var index = 0
        // The index of the first byte past the current record's limit.
        var limit = limitPosition - consumed
        defer { consumed += end }
        scan: while index < end {
            switch state {
            case .recordStart, .afterCarriageReturn:
                let byte = bytes[index]
                if byte == Self.lineFeed {
                    if state == .recordStart { line += 1 } else { state = .recordStart }
                    index += 1
                } else if byte == Self.carriageReturn {
                    line += 1
                    state = .afterCarriageReturn
                    index += 1
                } else {
                    recordLine = line
                    limitPosition = consumed + index + maximumRecordBytes
                    limit = limitPosition - consumed
                    state = .fieldStart
                }

            case .fieldStart:
                if bytes[index] == Self.quote {
                    guard index < limit else { throw .recordTooLong(line: recordLine) }
                    fieldLine = line
                    state = .quoted
                    index += 1
                } else {
                    state = .unquoted
                }

            case .unquoted:
                let start = index
                let stop = min(end, limit)
                while index < stop && table[Int(bytes[index])] & Self.endsUnquoted == 0 { index += 1 }
                let run = UnsafeBufferPointer(rebasing: bytes[start..<index])
                guard index < end else {
                    field.append(contentsOf: run)
                    break scan
                }
                let byte = bytes[index]
                if byte == delimiter || byte == Self.carriageReturn || byte == Self.lineFeed {
                    if byte == delimiter && index >= limit { throw .recordTooLong(line: recordLine) }
                    if field.isEmpty {
                        fields.append(try Self.string(run, startLine: line))
                    } else {
                        field.append(contentsOf: run)
                        try appendBufferedField(startLine: line)
                    }
                    index += 1
                    if byte == delimiter { state = .fieldStart } else { endRecord(lineBreak: byte, into: &records) }
                } else if byte == 0 {
                    throw .utf16
                } else {
                    throw .recordTooLong(line: recordLine)
                }

            case .quoted:
                let start = index
                let stop = min(end, limit)
                while index < stop && table[Int(bytes[index])] & Self.endsQuoted == 0 { index += 1 }
                if index > start { field.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index])) }
                guard index < end else { break scan }
                guard index < limit else { throw .recordTooLong(line: recordLine) }
                let byte = bytes[index]
                index += 1
                switch byte {
                case Self.quote:
                    state = .quoteInQuoted
                case Self.carriageReturn:
                    line += 1
                    field.append(byte)
                case Self.lineFeed:
                    // The field's last byte is a CR only when the file's previous byte was: CRLF is one line.
                    if field.last != Self.carriageReturn { line += 1 }
                    field.append(byte)
                default:
                    throw .utf16
                }

            case .quoteInQuoted:
                let byte = bytes[index]
                if byte == Self.quote {
                    guard index < limit else { throw .recordTooLong(line: recordLine) }
                    field.append(byte)
                    state = .quoted
                    index += 1
                } else if byte == delimiter || byte == Self.carriageReturn || byte == Self.lineFeed {
                    if byte == delimiter && index >= limit { throw .recordTooLong(line: recordLine) }
                    try appendBufferedField(startLine: fieldLine)
                    index += 1
                    if byte == delimiter { state = .fieldStart } else { endRecord(lineBreak: byte, into: &records) }
                } else if byte == 0 {
                    throw .utf16
                } else {
                    throw .unexpectedQuote(line: line)
                }
            }
        }
    }

    private mutating func appendBufferedField(startLine: Int) throws(CSVError) {
        let value = field.withUnsafeBufferPointer { buffer in
            Result { () throws(CSVError) in try Self.string(buffer, startLine: startLine) }
        }
        field.removeAll(keepingCapacity: true)
        fields.append(try value.get())
    }

    private mutating func endRecord(lineBreak: UInt8, into records: inout [CSVRecord]) {
        records.append(CSVRecord(fields: fields, line: recordLine))
        fields.removeAll(keepingCapacity: true)
        line += 1
        state = lineBreak == Self.carriageReturn ? .afterCarriageReturn : .recordStart
    }

    // MARK: - UTF-8

    /// The field as a String, or the line of its first byte that is not UTF-8. Validates with a non-generic scan
    /// (`String(validating:)` costs a generic metadata lookup per call, half the parse time).
    @inline(__always)
    private static func string(_ bytes: UnsafeBufferPointer<UInt8>, startLine: Int) throws(CSVError) -> String {
        if let invalid = firstInvalidUTF8Index(bytes) {
            throw .invalidUTF8(line: line(at: invalid, in: bytes, startLine: startLine))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The index of the first byte that is not part of a well-formed UTF-8 sequence (Unicode table 3-7), nil if none.
    private static func firstInvalidUTF8Index(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = bytes.count
        var index = 0
        guard let base = bytes.baseAddress else { return nil }
        // Eight ASCII bytes at a time: contact data is mostly ASCII.
        while index + 8 <= count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { break }
            index += 8
        }
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return index
            }
            guard index + length <= count else { return index }
            let second = bytes[index + 1]
            guard second >= lower && second <= upper else { return index }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return index }
            index += length
        }
        return nil
    }

    /// The physical line of byte `offset` in a field starting on `startLine`.
    private static func line(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>, startLine: Int) -> Int {
        var line = startLine
        var previous: UInt8 = 0
        for byte in bytes[..<offset] {
            if byte == carriageReturn || (byte == lineFeed && previous != carriageReturn) { line += 1 }
            previous = byte
        }
        return line
    }
}
