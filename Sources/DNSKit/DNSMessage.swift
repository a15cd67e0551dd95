/// DNS messages on the wire (RFC 1035 §4): a one-question query with an EDNS(0) OPT record (RFC 6891), and the
/// reading of an answer, names decompressed with a bound on pointer chains.
public enum DNSMessage {
    /// The UDP payload size offered in the OPT record: the DNS flag day 2020 value, which avoids fragmentation.
    static let udpPayloadSize: UInt16 = 1232

    public struct Response: Equatable, Sendable {
        public let id: UInt16
        public let rcode: Int
        /// TC: the answer did not fit and must be asked again over TCP.
        public let truncated: Bool
        public let answers: [DNSAnswer]
    }

    /// A recursive query for `name`'s records of `type`.
    public static func query(id: UInt16, name: String, type: DNSRecordType) throws(DNSError) -> [UInt8] {
        var bytes: [UInt8] = []
        append16(id, to: &bytes)
        append16(0x0100, to: &bytes)  // RD: the server resolves recursively.
        for count: UInt16 in [1, 0, 0, 1] { append16(count, to: &bytes) }
        try appendName(name, to: &bytes)
        append16(type.rawValue, to: &bytes)
        append16(1, to: &bytes)  // IN
        // The OPT pseudo-record: root name, type, payload size as class, no extended flags, no options.
        bytes.append(0)
        append16(DNSRecordType.opt.rawValue, to: &bytes)
        append16(udpPayloadSize, to: &bytes)
        bytes += [0, 0, 0, 0, 0, 0]
        return bytes
    }

    public static func parse(_ bytes: [UInt8]) throws(DNSError) -> Response {
        var reader = Reader(bytes: bytes)
        let id = try reader.read16()
        let flags = try reader.read16()
        let questions = try reader.read16()
        let answerCount = try reader.read16()
        _ = try reader.read16()
        _ = try reader.read16()
        guard flags & 0x8000 != 0 else { throw .malformedResponse("not a response") }
        for _ in 0..<questions {
            _ = try reader.readName()
            try reader.skip(4)
        }
        var answers: [DNSAnswer] = []
        for _ in 0..<answerCount {
            let name = try reader.readName()
            let type = try reader.read16()
            try reader.skip(6)  // class and TTL
            let length = Int(try reader.read16())
            let end = reader.offset + length
            guard end <= bytes.count else { throw .malformedResponse("a record runs past the end") }
            switch DNSRecordType(rawValue: type) {
            case .txt:
                var text: [UInt8] = []
                while reader.offset < end {
                    let count = Int(try reader.read8())
                    guard reader.offset + count <= end else { throw .malformedResponse("a TXT string runs past its record") }
                    text += bytes[reader.offset..<reader.offset + count]
                    reader.offset += count
                }
                answers.append(DNSAnswer(name: name, data: .txt(String(decoding: text, as: UTF8.self))))
            case .mx:
                let preference = try reader.read16()
                answers.append(DNSAnswer(name: name, data: .mx(preference: preference, exchange: try reader.readName())))
            case .cname:
                answers.append(DNSAnswer(name: name, data: .cname(try reader.readName())))
            case .opt, nil:
                break
            }
            reader.offset = end
        }
        return Response(id: id, rcode: Int(flags & 0x000F), truncated: flags & 0x0200 != 0, answers: answers)
    }

    static func rcodeName(_ rcode: Int) -> String {
        switch rcode {
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        default: "RCODE \(rcode)"
        }
    }

    private static func append16(_ value: UInt16, to bytes: inout [UInt8]) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    private static func appendName(_ name: String, to bytes: inout [UInt8]) throws(DNSError) {
        let trimmed = name.hasSuffix(".") ? String(name.dropLast()) : name
        var written = 0
        for label in trimmed.split(separator: ".", omittingEmptySubsequences: false) {
            let utf8 = Array(label.utf8)
            guard !utf8.isEmpty, utf8.count <= 63 else { throw .invalidName(name) }
            bytes.append(UInt8(utf8.count))
            bytes += utf8
            written += utf8.count + 1
        }
        guard written + 1 <= 255 else { throw .invalidName(name) }
        bytes.append(0)
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func read8() throws(DNSError) -> UInt8 {
            guard offset < bytes.count else { throw .malformedResponse("it ends early") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func read16() throws(DNSError) -> UInt16 {
            UInt16(try read8()) << 8 | UInt16(try read8())
        }

        mutating func skip(_ count: Int) throws(DNSError) {
            guard offset + count <= bytes.count else { throw .malformedResponse("it ends early") }
            offset += count
        }

        /// A name at `offset`, following compression pointers (RFC 1035 §4.1.4), at most 64 of them.
        mutating func readName() throws(DNSError) -> String {
            var labels: [String] = []
            var position = offset
            var jumped = false
            var jumps = 0
            while true {
                guard position < bytes.count else { throw .malformedResponse("a name runs past the end") }
                let length = Int(bytes[position])
                if length & 0xC0 == 0xC0 {
                    guard position + 1 < bytes.count else { throw .malformedResponse("a name runs past the end") }
                    jumps += 1
                    guard jumps <= 64 else { throw .malformedResponse("a loop of name pointers") }
                    if !jumped { offset = position + 2 }
                    jumped = true
                    position = (length & 0x3F) << 8 | Int(bytes[position + 1])
                    continue
                }
                guard length & 0xC0 == 0 else { throw .malformedResponse("an unknown label type") }
                if length == 0 {
                    if !jumped { offset = position + 1 }
                    break
                }
                guard position + 1 + length <= bytes.count else { throw .malformedResponse("a label runs past the end") }
                labels.append(String(decoding: bytes[position + 1..<position + 1 + length], as: UTF8.self))
                position += 1 + length
            }
            return labels.joined(separator: ".")
        }
    }
}
