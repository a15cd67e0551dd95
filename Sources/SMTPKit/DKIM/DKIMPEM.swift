/// Minimal PEM armour (RFC 7468) for key import and export.
enum DKIMPEM {
    /// The label (`PRIVATE KEY`, `RSA PRIVATE KEY`, …) and DER bytes of the first PEM block.
    static func decode(_ pem: String) -> (label: String, der: [UInt8])? {
        let lines = pem.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters() }
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") && $0.hasSuffix("-----") }) else { return nil }
        let label = String(lines[begin].dropFirst(11).dropLast(5))
        guard let end = lines[begin...].firstIndex(of: "-----END \(label)-----"),
            let der = MIMEBase64.decode(lines[(begin + 1)..<end].joined())
        else { return nil }
        return (label, der)
    }

    static func encode(label: String, der: [UInt8]) -> String {
        var out = "-----BEGIN \(label)-----\n"
        let base64 = Array(MIMEBase64.encode(der).utf8)
        var index = 0
        while index < base64.count {
            let end = min(index + 64, base64.count)
            out += String(decoding: base64[index..<end], as: UTF8.self) + "\n"
            index = end
        }
        return out + "-----END \(label)-----\n"
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
