/// The Content-Transfer-Encoding of a body part, picked from its content so text stays readable and binary stays safe.
public enum MIMETransferEncoding: String, Sendable, Hashable {
    case sevenBit = "7bit"
    case quotedPrintable = "quoted-printable"
    case base64 = "base64"

    /// Line length below which ASCII text is sent as is.
    static let shortLine = 78

    /// 7bit for short-line ASCII; quoted-printable while it costs less than base64 (under one byte in six
    /// needs escaping, each escape costing three bytes against base64's flat four-thirds); base64 otherwise.
    /// `bytes` must use CRLF line breaks.
    public static func choose(for bytes: [UInt8]) -> MIMETransferEncoding {
        var escaped = 0
        var lineLength = 0
        var longestLine = 0
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte == 13, index + 1 < count, bytes[index + 1] == 10 {
                longestLine = max(longestLine, lineLength)
                lineLength = 0
                index += 2
                continue
            }
            if byte >= 0x7F || (byte < 0x20 && byte != 0x09) { escaped += 1 }
            lineLength += 1
            index += 1
        }
        longestLine = max(longestLine, lineLength)
        if escaped == 0 && longestLine <= shortLine { return .sevenBit }
        return escaped * 6 < count ? .quotedPrintable : .base64
    }

    /// Appends `bytes` encoded this way (no trailing CRLF is added).
    func encode(_ bytes: [UInt8], into out: inout [UInt8]) {
        switch self {
        case .sevenBit: out.append(contentsOf: bytes)
        case .quotedPrintable: MIMEQuotedPrintable.encode(bytes, into: &out)
        case .base64: MIMEBase64.encode(bytes, lineLength: 76, into: &out)
        }
    }
}
