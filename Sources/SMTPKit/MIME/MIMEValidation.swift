/// Checks for the identifiers and parameters the builder writes into headers; each refusal is a `MIMEError`.
enum MIMEValidation {
    static func validatedMessageID(_ id: String) throws -> String {
        let inner = id.hasPrefix("<") && id.hasSuffix(">") ? String(id.dropFirst().dropLast()) : id
        try validate(id: inner, name: "Message-ID")
        return "<\(inner)>"
    }

    /// Message-ID and Content-ID: printable ASCII without spaces or angle brackets, short enough for one line.
    static func validate(id: String, name: String) throws {
        let ok = !id.isEmpty && id.utf8.count <= 250
            && id.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }
        if !ok { throw MIMEError.invalidParameter(name: name, value: id) }
    }

    /// `type/subtype` made of RFC 2045 token characters, optionally followed by `; parameters` in plain ASCII.
    static func validate(contentType: String) throws {
        let bytes = Array(contentType.utf8)
        let mediaEnd = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
        let parts = bytes[..<mediaEnd].split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let tspecials = Array("()<>@,;:\\\"/[]?=".utf8)
        let isToken = { (part: ArraySlice<UInt8>) in
            !part.isEmpty && part.allSatisfy { $0 > 0x20 && $0 < 0x7F && !tspecials.contains($0) }
        }
        let paramsOK = bytes[mediaEnd...].allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        if parts.count != 2 || !parts.allSatisfy(isToken) || !paramsOK || bytes.count > 200 {
            throw MIMEError.invalidParameter(name: "Content-Type", value: contentType)
        }
    }

    static func validatedSeed(_ seed: String) throws -> String {
        let ok = !seed.isEmpty && seed.utf8.count <= 50 && seed.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
        }
        if !ok { throw MIMEError.invalidParameter(name: "boundarySeed", value: seed) }
        return seed
    }
}
