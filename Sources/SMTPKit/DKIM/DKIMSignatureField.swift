import struct Foundation.Date
import typealias Foundation.TimeInterval

/// Lays out the DKIM-Signature field: tags folded at 78 columns, `h=` folded after colons, `b=` on lines of its own.
/// Writes bytes straight into the field, with no String per tag or per `h=` entry, since it runs once per message.
enum DKIMSignatureField {
    /// Everything up to and including `b=`: this is what the header hash covers (RFC 6376 §3.7).
    /// `hTag` lists indices into `names`, in `h=` order.
    static func unsigned(
        algorithm: DKIMAlgorithm,
        canonicalization: DKIMCanonicalization,
        domain: String,
        selector: String,
        names: [[UInt8]],
        hTag: [Int],
        bodyHash: [UInt8],
        date: Date,
        expiration: TimeInterval?
    ) -> [UInt8] {
        let timestamp = Int(date.timeIntervalSince1970.rounded(.down))
        var out = Folder()
        out.add("v=", "1".utf8)
        out.add("a=", algorithm.rawValue.utf8)
        out.add("c=", canonicalization.header.rawValue.utf8, "/", canonicalization.body.rawValue.utf8)
        out.add("d=", domain.utf8)
        out.add("s=", selector.utf8)
        out.add("t=", Self.decimal(timestamp))
        if let expiration { out.add("x=", Self.decimal(timestamp + Int(expiration.rounded(.up)))) }
        // h= folds after a colon, where RFC 6376 allows whitespace.
        for (position, index) in hTag.enumerated() {
            out.add(
                position == 0 ? "h=" : "",
                names[index],
                terminator: position == hTag.count - 1 ? UInt8(ascii: ";") : UInt8(ascii: ":"),
                separator: position == 0
            )
        }
        var base64: [UInt8] = []
        base64.reserveCapacity(MIMEBase64.encodedCount(bodyHash.count))
        MIMEBase64.encode(bodyHash, into: &base64)
        out.add("bh=", base64)
        out.bytes.append(contentsOf: "\r\n\tb=".utf8)  // b= gets lines of its own
        return out.bytes
    }

    /// The signature as base64 after `b=` and on continuation lines, 77 columns at most
    /// (verifiers drop whitespace inside b= before decoding).
    static func appendSignature(_ signature: [UInt8], to field: inout [UInt8]) {
        var base64: [UInt8] = []
        base64.reserveCapacity(MIMEBase64.encodedCount(signature.count))
        MIMEBase64.encode(signature, into: &base64)
        var index = 0
        var width = 74  // after "\tb="
        while index < base64.count {
            if index > 0 { field.append(contentsOf: "\r\n\t".utf8) }
            let end = min(index + width, base64.count)
            field.append(contentsOf: base64[index..<end])
            index = end
            width = 76
        }
    }

    /// ASCII digits of a non-negative number, without going through String.
    private static func decimal(_ value: Int) -> [UInt8] {
        var digits: [UInt8] = []
        var rest = value
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        return digits.reversed()
    }

    /// Appends unbreakable pieces, folding before one that would pass column 78.
    private struct Folder {
        var bytes: [UInt8] = Array("DKIM-Signature:".utf8)
        var column = "DKIM-Signature:".utf8.count

        init() { bytes.reserveCapacity(1024) }

        /// A `tag=value;` piece, after a space unless folded.
        mutating func add(_ tag: StaticString, _ value: some Collection<UInt8>) {
            add(tag, value, terminator: UInt8(ascii: ";"), separator: true)
        }

        /// `c=header/body;`, one piece.
        mutating func add(_ tag: StaticString, _ first: String.UTF8View, _ middle: StaticString, _ second: String.UTF8View) {
            let length = tag.utf8CodeUnitCount + first.count + middle.utf8CodeUnitCount + second.count + 1
            start(length: length, separator: true)
            append(tag)
            bytes.append(contentsOf: first)
            append(middle)
            bytes.append(contentsOf: second)
            bytes.append(UInt8(ascii: ";"))
            column += length
        }

        mutating func add(_ prefix: StaticString, _ value: some Collection<UInt8>, terminator: UInt8, separator: Bool) {
            let length = prefix.utf8CodeUnitCount + value.count + 1
            start(length: length, separator: separator)
            append(prefix)
            bytes.append(contentsOf: value)
            bytes.append(terminator)
            column += length
        }

        private mutating func start(length: Int, separator: Bool) {
            let separatorLength = separator ? 1 : 0
            if column + separatorLength + length > 78 {
                bytes.append(contentsOf: "\r\n\t".utf8)
                column = 1
            } else if separator {
                bytes.append(0x20)
                column += 1
            }
        }

        private mutating func append(_ text: StaticString) {
            text.withUTF8Buffer { bytes.append(contentsOf: $0) }
        }
    }
}
