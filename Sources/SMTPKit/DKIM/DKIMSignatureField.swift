import struct Foundation.Date
import typealias Foundation.TimeInterval

/// Lays out the DKIM-Signature field: tags folded at 78 columns, `h=` folded after colons, `b=` on lines of its own.
enum DKIMSignatureField {
    /// Everything up to and including `b=`: this is what the header hash covers (RFC 6376 §3.7).
    static func unsigned(
        algorithm: DKIMAlgorithm,
        canonicalization: DKIMCanonicalization,
        domain: String,
        selector: String,
        hTag: [String],
        bodyHash: [UInt8],
        date: Date,
        expiration: TimeInterval?
    ) -> [UInt8] {
        let timestamp = Int(date.timeIntervalSince1970.rounded(.down))
        var tags = [
            "v=1", "a=\(algorithm.rawValue)", "c=\(canonicalization.tagValue)", "d=\(domain)", "s=\(selector)",
            "t=\(timestamp)",
        ]
        if let expiration { tags.append("x=\(timestamp + Int(expiration.rounded(.up)))") }
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        out.append(contentsOf: "DKIM-Signature:".utf8)
        var column = out.count
        func add(_ text: String, separator: String) {
            if column + separator.utf8.count + text.utf8.count > 78 {
                out.append(contentsOf: "\r\n\t".utf8)
                column = 1
            } else {
                out.append(contentsOf: separator.utf8)
                column += separator.utf8.count
            }
            out.append(contentsOf: text.utf8)
            column += text.utf8.count
        }
        for tag in tags { add(tag + ";", separator: " ") }
        // h= folds after a colon, where RFC 6376 allows whitespace.
        for (index, name) in hTag.enumerated() {
            let text = (index == 0 ? "h=" : "") + name + (index == hTag.count - 1 ? ";" : ":")
            add(text, separator: index == 0 ? " " : "")
        }
        add("bh=\(MIMEBase64.encode(bodyHash));", separator: " ")
        out.append(contentsOf: "\r\n\tb=".utf8)  // b= gets lines of its own
        return out
    }

    /// The signature as base64 after `b=` and on continuation lines, 77 columns at most
    /// (verifiers drop whitespace inside b= before decoding).
    static func appendSignature(_ signature: [UInt8], to field: inout [UInt8]) {
        var base64: [UInt8] = []
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
}
