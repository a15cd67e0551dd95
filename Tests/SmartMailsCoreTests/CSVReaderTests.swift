import Testing
@testable import SmartMailsCore

@Suite struct CSVReaderTests {
    // MARK: - Helpers

    /// Reads `bytes` whole, one byte at a time and in pseudo-random chunks (empty ones included), expects the same
    /// outcome from all of them, and returns it.
    private func read(
        _ bytes: [UInt8],
        delimiter: UInt8? = nil,
        maximumRecordBytes: Int = 1 << 20,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Result<[CSVRecord], CSVError> {
        let whole = readChunks([bytes], delimiter: delimiter, maximumRecordBytes: maximumRecordBytes)
        let single = readChunks(bytes.map { [$0] }, delimiter: delimiter, maximumRecordBytes: maximumRecordBytes)
        #expect(single == whole, "one byte at a time", sourceLocation: sourceLocation)
        for seed in UInt64(1)...8 {
            let chunked = readChunks(randomChunks(bytes, seed: seed), delimiter: delimiter, maximumRecordBytes: maximumRecordBytes)
            #expect(chunked == whole, "random chunks, seed \(seed)", sourceLocation: sourceLocation)
        }
        return whole
    }

    private func read(_ text: String, delimiter: UInt8? = nil, sourceLocation: SourceLocation = #_sourceLocation) -> Result<[CSVRecord], CSVError> {
        read(Array(text.utf8), delimiter: delimiter, sourceLocation: sourceLocation)
    }

    private func readChunks(_ chunks: [[UInt8]], delimiter: UInt8?, maximumRecordBytes: Int) -> Result<[CSVRecord], CSVError> {
        var reader = CSVReader(delimiter: delimiter, maximumRecordBytes: maximumRecordBytes)
        var records: [CSVRecord] = []
        do throws(CSVError) {
            for chunk in chunks { records += try reader.feed(chunk) }
            records += try reader.finish()
            return .success(records)
        } catch {
            return .failure(error)
        }
    }

    private func randomChunks(_ bytes: [UInt8], seed: UInt64) -> [[UInt8]] {
        var state = seed
        var chunks: [[UInt8]] = []
        var index = 0
        while index < bytes.count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let size = Int(state >> 33) % 9
            chunks.append(Array(bytes[index..<min(bytes.count, index + size)]))
            index += size
        }
        return chunks
    }

    private func records(_ rows: (Int, [String])...) -> Result<[CSVRecord], CSVError> {
        .success(rows.map { CSVRecord(fields: $0.1, line: $0.0) })
    }

    // MARK: - RFC 4180 and quirks

    @Test func plainRecordsWithCRLF() {
        #expect(read("name,email\r\nJane,jane@example.com\r\n") == records((1, ["name", "email"]), (2, ["Jane", "jane@example.com"])))
    }

    @Test func lfAndLoneCRLineEndingsMixed() {
        #expect(read("a,b\nc,d\re,f\r\ng,h\n") == records((1, ["a", "b"]), (2, ["c", "d"]), (3, ["e", "f"]), (4, ["g", "h"])))
    }

    @Test func finalLineWithoutNewlineComesFromFinish() throws {
        #expect(read("a,b\nc,d") == records((1, ["a", "b"]), (2, ["c", "d"])))
        #expect(read("a,b\nc,") == records((1, ["a", "b"]), (2, ["c", ""])))
        #expect(read("a,\"b\"") == records((1, ["a", "b"])))
        var reader = CSVReader()
        #expect(try reader.feed(Array("a,b\nc,d".utf8)) == [CSVRecord(fields: ["a", "b"], line: 1)])
        #expect(try reader.finish() == [CSVRecord(fields: ["c", "d"], line: 2)])
    }

    @Test func utf8ByteOrderMarkIsSkipped() {
        #expect(read("\u{FEFF}name,email\nJane,j@x.org\n") == records((1, ["name", "email"]), (2, ["Jane", "j@x.org"])))
        #expect(read("\u{FEFF}") == records())
        #expect(read("\u{FEFF}\u{FEFF}a") == records((1, ["\u{FEFF}a"])), "only the first mark is a byte order mark")
        // The start of a mark that does not finish is data, not UTF-8 here.
        #expect(read([0xEF, 0xBB, 0x41, 0x0A]) == .failure(.invalidUTF8(line: 1)))
    }

    @Test func quotedFieldsWithDelimitersEscapesAndLineBreaks() {
        let text = "\"a,b\",\"say \"\"hi\"\"\",\"one\r\ntwo\"\n\"\",\"\"\"\"\nnext,row\n"
        #expect(read(text) == records((1, ["a,b", "say \"hi\"", "one\r\ntwo"]), (3, ["", "\""]), (4, ["next", "row"])))
    }

    @Test func lineBreaksInsideQuotesAreKeptAndCounted() {
        #expect(read("id,note\n1,\"x\ny\nz\"\n2,w\n") == records((1, ["id", "note"]), (2, ["1", "x\ny\nz"]), (5, ["2", "w"])))
        #expect(read("1,\"x\r\ny\"\r\n2,w") == records((1, ["1", "x\r\ny"]), (3, ["2", "w"])))
        #expect(read("1,\"x\ry\r\r\nz\"\r3\n") == records((1, ["1", "x\ry\r\r\nz"]), (5, ["3"])))
        #expect(read("1,\"x\r\"\"\ny\"\n2\n") == records((1, ["1", "x\r\"\ny"]), (4, ["2"])), "CR and LF split by an escape are two lines")
    }

    @Test func quoteInsideUnquotedFieldIsLiteral() {
        #expect(read("ab\"c,d\",5\"\n") == records((1, ["ab\"c", "d\"", "5\""])))
    }

    @Test func emptyLinesAreSkipped() {
        #expect(read("\n\na,b\n\n\r\n\rc,d\n\n") == records((3, ["a", "b"]), (7, ["c", "d"])))
        #expect(read("\r\n\r\n") == records())
        #expect(read("") == records())
    }

    @Test func emptyFieldsAreKept() {
        #expect(read("a,,b\n,\n\"\",x\n") == records((1, ["a", "", "b"]), (2, ["", ""]), (3, ["", "x"])))
    }

    @Test func spacesArePreserved() {
        #expect(read(" a , b \n\" c \", d\n") == records((1, [" a ", " b "]), (2, [" c ", " d"])))
    }

    @Test func multiByteCharactersSurviveAnySplit() {
        #expect(read("José,Bücher,日本,😀\n\"Zoë, \"\"Ω\"\"\",👩‍👩‍👧\n") == records((1, ["José", "Bücher", "日本", "😀"]), (2, ["Zoë, \"Ω\"", "👩‍👩‍👧"])))
    }

    @Test func nonContiguousChunksAreAccepted() throws {
        var reader = CSVReader()
        let bytes = Array("a;b\n1;2\n".utf8)
        #expect(try reader.feed(bytes.lazy.map { $0 }) == [CSVRecord(fields: ["a", "b"], line: 1), CSVRecord(fields: ["1", "2"], line: 2)])
        #expect(try reader.feed(bytes[0..<2].lazy.map { $0 }).isEmpty)
        #expect(try reader.finish() == [CSVRecord(fields: ["a", ""], line: 3)])
    }

    // MARK: - Delimiter

    @Test(arguments: [(",", "a,b;c\n1,2;3\n"), (";", "a;b;c,d\n1;2;3,4\n"), ("\t", "a\tb\tc;d,e\n1\t2\t3;4,5\n")])
    func delimiterIsDetectedFromTheHeader(delimiter: String, text: String) throws {
        let expected = UInt8(ascii: Unicode.Scalar(delimiter)!)
        let separator = Character(delimiter)
        let lines = text.split(separator: "\n").map { $0.split(separator: separator, omittingEmptySubsequences: false).map(String.init) }
        #expect(read(text) == records((1, lines[0]), (2, lines[1])))
        var reader = CSVReader()
        #expect(reader.delimiter == nil)
        for byte in text.utf8 { _ = try reader.feed([byte]) }
        #expect(reader.delimiter == expected)
    }

    @Test func detectionIgnoresQuotedDelimitersAndDefaultsToComma() throws {
        #expect(read("\"x;y;z\",b,c\n") == records((1, ["x;y;z", "b", "c"])))
        #expect(read("\n\nname\nJane\n") == records((3, ["name"]), (4, ["Jane"])))
        var reader = CSVReader()
        _ = try reader.feed(Array("email".utf8))
        #expect(reader.delimiter == nil, "undecided until the header ends")
        #expect(try reader.finish() == [CSVRecord(fields: ["email"], line: 1)])
        #expect(reader.delimiter == UInt8(ascii: ","))
    }

    @Test func explicitDelimiterIsUsed() {
        #expect(read("a,b;c\n", delimiter: UInt8(ascii: ";")) == records((1, ["a,b", "c"])))
        #expect(read("a|b|\"c|d\"\n", delimiter: UInt8(ascii: "|")) == records((1, ["a", "b", "c|d"])))
    }

    // MARK: - Errors

    @Test func latin1IsInvalidUTF8WithItsLine() {
        // "name,city\nJosé,Köln\n" saved as Latin-1.
        let latin1: [UInt8] = Array("name,city\nJos".utf8) + [0xE9] + Array(",K".utf8) + [0xF6] + Array("ln\n".utf8)
        #expect(read(latin1) == .failure(.invalidUTF8(line: 2)))
        let quoted: [UInt8] = Array("a\n\"x\ny".utf8) + [0xE9] + Array("\"\n".utf8)
        #expect(read(quoted) == .failure(.invalidUTF8(line: 3)))
        let last: [UInt8] = Array("a\r\nb\r\n".utf8) + [0xFC]
        #expect(read(last) == .failure(.invalidUTF8(line: 3)))
        #expect(read([0x61, 0x0A, 0xC3]) == .failure(.invalidUTF8(line: 2)), "a truncated sequence at the end")
    }

    @Test func utf8ValidationMatchesTheStandardLibrary() {
        let cases: [[UInt8]] = [
            [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0x80], [0xE2, 0x82], [0xF0, 0x9F, 0x98],
            [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],
            Array("long ascii prefix ".utf8) + [0xE9], Array("long ascii prefix ".utf8) + [0xC3, 0xA9],
        ]
        var state: UInt64 = 42
        var random: [[UInt8]] = []
        for _ in 0..<300 {
            var bytes: [UInt8] = []
            for _ in 0..<12 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let pick = UInt8(truncatingIfNeeded: state >> 56)
                bytes.append(pick < 0x40 ? UInt8(ascii: "a") : pick)
            }
            random.append(bytes.filter { ![0x00, 0x0A, 0x0D, 0x22, 0x2C].contains($0) })
        }
        for bytes in cases + random where !bytes.isEmpty {
            let expected: Result<[CSVRecord], CSVError> = String(validating: bytes, as: UTF8.self).map { .success([CSVRecord(fields: [$0], line: 1)]) }
                ?? .failure(.invalidUTF8(line: 1))
            #expect(readChunks([bytes], delimiter: UInt8(ascii: ","), maximumRecordBytes: 1 << 20) == expected, "\(bytes)")
        }
    }

    @Test func utf16IsRecognised() {
        let littleEndian: [UInt8] = [0xFF, 0xFE] + "a,b\n".utf8.flatMap { [$0, 0] }
        #expect(read(littleEndian) == .failure(.utf16))
        let bigEndian: [UInt8] = [0xFE, 0xFF] + "a,b\n".utf8.flatMap { [0, $0] }
        #expect(read(bigEndian) == .failure(.utf16))
        let withoutMark: [UInt8] = "a,b\n".utf8.flatMap { [$0, 0] }
        #expect(read(withoutMark) == .failure(.utf16))
        #expect(read(withoutMark, delimiter: UInt8(ascii: ",")) == .failure(.utf16))
        #expect(read([0xFF, 0x41]) == .failure(.invalidUTF8(line: 1)))
    }

    @Test func unterminatedQuoteIsReportedAtFinish() {
        #expect(read("a,b\n\"c,d\ne,f\n") == .failure(.unterminatedQuote(line: 2)))
        #expect(read("a,\"") == .failure(.unterminatedQuote(line: 1)))
    }

    @Test func textAfterClosingQuoteIsUnexpected() {
        #expect(read("a,b\n\"c\"d,e\n") == .failure(.unexpectedQuote(line: 2)))
        #expect(read("\"c\" ,e\n") == .failure(.unexpectedQuote(line: 1)))
    }

    @Test func recordTooLongIsReportedAsSoonAsTheLimitIsPassed() throws {
        let limit = 16
        let fits = String(repeating: "x", count: 14) + ",y\n"
        #expect(read(Array((fits + fits).utf8), maximumRecordBytes: limit) == records((1, [String(repeating: "x", count: 14), "y"]), (2, [String(repeating: "x", count: 14), "y"])))
        let tooLong = String(repeating: "x", count: 15) + ",y\n"
        #expect(read(Array(("a,b\n" + tooLong).utf8), maximumRecordBytes: limit) == .failure(.recordTooLong(line: 2)))
        #expect(read(Array(("a,b\n" + tooLong).utf8), delimiter: UInt8(ascii: ","), maximumRecordBytes: limit) == .failure(.recordTooLong(line: 2)))
        #expect(read(Array(tooLong.utf8), maximumRecordBytes: limit) == .failure(.recordTooLong(line: 1)), "while detecting the delimiter")

        // A stray quote swallowing the file fails while feeding, long before finish.
        var reader = CSVReader(maximumRecordBytes: 1_000)
        _ = try reader.feed(Array("name,email\n\"Jane,jane@example.com\n".utf8))
        let rest = Array(String(repeating: "Joe,joe@example.com\n", count: 100).utf8)
        #expect(throws: CSVError.recordTooLong(line: 2)) { try reader.feed(rest) }
        #expect(throws: CSVError.recordTooLong(line: 2)) { try reader.finish() }
    }

    @Test func messagesAreSentences() {
        #expect(CSVError.invalidUTF8(line: 7).message == "The file is not UTF-8 (line 7): save it as UTF-8 and upload it again.")
        #expect(CSVError.utf16.message.hasPrefix("The file is UTF-16: save it as UTF-8"))
        for error in [CSVError.unterminatedQuote(line: 3), .unexpectedQuote(line: 3), .recordTooLong(line: 3)] {
            #expect(error.message.contains("line 3") && error.message.hasSuffix("."))
        }
    }

    // MARK: - Writer

    @Test func writerQuotesOnlyWhatNeedsIt() {
        #expect(CSVWriter.line(["a", "b"]) == "a,b\r\n")
        #expect(CSVWriter.line(["a,b", "say \"hi\"", "x\ny", " lead", "trail ", "in side"]) == "\"a,b\",\"say \"\"hi\"\"\",\"x\ny\",\" lead\",\"trail \",in side\r\n")
        #expect(CSVWriter.line(["a;b", "c,d"], delimiter: UInt8(ascii: ";")) == "\"a;b\";c,d\r\n")
        #expect(CSVWriter.line([""]) == "\"\"\r\n")
    }

    @Test(arguments: [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")])
    func writerRoundTripsThroughReader(delimiter: UInt8) {
        let rows: [[String]] = [
            ["email", "name", "note"],
            ["a,b;c\td", "\"quoted\"", "\"\"\"\""],
            ["line\nbreak", "cr\rlf\r\n", "\n"],
            ["José 日本 😀", " spaced ", ""],
            ["", "", ""],
            ["ab\"c", "x\"", "\u{FEFF}bom"],
        ]
        var text = ""
        for row in rows + [[""]] { text += CSVWriter.line(row, delimiter: delimiter) }
        let result = read(Array(text.utf8), delimiter: delimiter)
        #expect((try? result.get())?.map(\.fields) == rows + [[""]])
        if delimiter == UInt8(ascii: ",") {
            #expect((try? read(Array(text.utf8)).get())?.map(\.fields) == rows + [[""]], "detected delimiter")
        }
    }
}
