import Crypto
import struct Foundation.Date
import typealias Foundation.TimeInterval
import struct NIOCore.ByteBuffer

/// Signs raw RFC 5322 messages with DKIM (RFC 6376, RFC 8463). Immutable and `Sendable`: build one per
/// domain/selector and share it across tasks. Never emits `l=`, so nothing can be appended to a signed body.
public struct DKIMSigner: Sendable {
    public let domain: String
    public let selector: String
    public let key: DKIMPrivateKey
    public let canonicalization: DKIMCanonicalization
    /// Lowercased names, in `h=` order; From is always among them.
    public let signedHeaders: [String]
    /// Names listed once more than they occur, so a second copy added in transit breaks the signature.
    public let overSignedHeaders: Set<String>
    /// Adds `x=` this many seconds after `t=` when set.
    public let expiration: TimeInterval?

    /// Headers whose change would alter what the reader sees or how replies and unsubscribes go.
    public static let defaultSignedHeaders = [
        "From", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID", "In-Reply-To", "References",
        "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "List-Id", "List-Unsubscribe",
        "List-Unsubscribe-Post", "Sender",
    ]

    private let names: [[UInt8]]
    private let overSigned: [Bool]

    public init(
        domain: String,
        selector: String,
        key: DKIMPrivateKey,
        canonicalization: DKIMCanonicalization = .relaxed,
        signedHeaders: [String] = DKIMSigner.defaultSignedHeaders,
        overSignedHeaders: [String] = ["From", "Subject"],
        expiration: TimeInterval? = nil
    ) throws {
        guard Self.isHostname(domain) else { throw DKIMError.invalidDomain(domain) }
        guard Self.isHostname(selector) else { throw DKIMError.invalidSelector(selector) }
        var list: [String] = []
        for name in signedHeaders + overSignedHeaders + ["From"] {
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
                throw DKIMError.invalidHeaderName(name)
            }
            if !list.contains(name.lowercased()) { list.append(name.lowercased()) }
        }
        self.domain = domain
        self.selector = selector
        self.key = key
        self.canonicalization = canonicalization
        self.signedHeaders = list
        let overSignedSet = Set(overSignedHeaders.map { $0.lowercased() })
        self.overSignedHeaders = overSignedSet
        self.expiration = expiration
        self.names = list.map { Array($0.utf8) }
        self.overSigned = list.map { overSignedSet.contains($0) }
    }

    /// The complete `DKIM-Signature:` field for `message`, folded, ending in CRLF; put it before the first header.
    public func signatureHeader(for message: [UInt8], at date: Date = Date()) throws -> String {
        String(decoding: try message.withUnsafeBufferPointer { try signatureField($0, at: date) }, as: UTF8.self)
    }

    public func signatureHeader(for message: ByteBuffer, at date: Date = Date()) throws -> String {
        let field = try message.withUnsafeReadableBytes { try signatureField($0.assumingMemoryBound(to: UInt8.self), at: date) }
        return String(decoding: field, as: UTF8.self)
    }

    /// `message` with the DKIM-Signature field prepended.
    public func sign(_ message: [UInt8], at date: Date = Date()) throws -> [UInt8] {
        try message.withUnsafeBufferPointer { pointer in
            var out = try signatureField(pointer, at: date)
            Self.matchLineEndings(&out, of: pointer)
            out.append(contentsOf: pointer)
            return out
        }
    }

    /// `message` with the DKIM-Signature field prepended, in one new buffer.
    public func sign(_ message: ByteBuffer, at date: Date = Date()) throws -> ByteBuffer {
        try message.withUnsafeReadableBytes { raw in
            let pointer = raw.assumingMemoryBound(to: UInt8.self)
            var field = try signatureField(pointer, at: date)
            Self.matchLineEndings(&field, of: pointer)
            var out = ByteBuffer()
            out.reserveCapacity(field.count + pointer.count)
            out.writeBytes(field)
            out.writeBytes(raw)
            return out
        }
    }

    /// Puts the DKIM-Signature field in front of `message` in place. When the buffer has room before its reader
    /// index (render the message after some headroom, 1 KB is plenty), the field goes there and the message is not
    /// copied; otherwise the result is a new buffer, as with `sign`.
    public func prependSignature(to message: inout ByteBuffer, at date: Date = Date()) throws {
        let field = try message.withUnsafeReadableBytes { raw in
            let pointer = raw.assumingMemoryBound(to: UInt8.self)
            var field = try signatureField(pointer, at: date)
            Self.matchLineEndings(&field, of: pointer)
            return field
        }
        guard message.readerIndex >= field.count else {
            var out = ByteBuffer()
            out.reserveCapacity(field.count + message.readableBytes)
            out.writeBytes(field)
            out.writeImmutableBuffer(message)
            message = out
            return
        }
        let start = message.readerIndex - field.count
        message.setBytes(field, at: start)
        message.moveReaderIndex(to: start)
    }

    private func signatureField(_ message: UnsafeBufferPointer<UInt8>, at date: Date) throws -> [UInt8] {
        let headers = try DKIMMessageHeaders(message)
        let selection = try select(headers, in: message)

        let bodyHash = DKIMHashSink.hashing { sink in
            DKIMCanonicalizer.body(message, from: headers.bodyStart, mode: canonicalization.body, into: &sink)
        }
        var field = DKIMSignatureField.unsigned(
            algorithm: key.algorithm,
            canonicalization: canonicalization,
            domain: domain,
            selector: selector,
            names: names,
            hTag: selection.hTag,
            bodyHash: Array(bodyHash),
            date: date,
            expiration: expiration
        )
        let headerHash = field.withUnsafeBufferPointer { fieldPointer in
            DKIMHashSink.hashing { sink in
                for index in selection.fields {
                    let header = headers.fields[index]
                    DKIMCanonicalizer.header(
                        UnsafeBufferPointer(rebasing: message[header.range]),
                        nameLength: header.name.count,
                        mode: canonicalization.header,
                        withLineEnd: true,
                        into: &sink
                    )
                }
                DKIMCanonicalizer.header(
                    fieldPointer,
                    nameLength: "DKIM-Signature".utf8.count,
                    mode: canonicalization.header,
                    withLineEnd: false,
                    into: &sink
                )
            }
        }
        let signature = try key.signature(forDigest: headerHash)
        DKIMSignatureField.appendSignature(signature, to: &field)
        field.append(contentsOf: [13, 10])
        return field
    }

    /// Picks header instances bottom-up per name (RFC 6376 §5.4.2) and builds the `h=` list (indices into `names`),
    /// over-signing as configured. Each field's name is matched once; the rest is counting, with no per-name arrays.
    private func select(_ headers: DKIMMessageHeaders, in message: UnsafeBufferPointer<UInt8>) throws -> (fields: [Int], hTag: [Int]) {
        let nameOfField = headers.fields.map { field in
            let name = UnsafeBufferPointer(rebasing: message[field.name])
            return names.firstIndex(where: { Self.equalsIgnoringCase(name, $0) }) ?? -1
        }
        guard let fromIndex = signedHeaders.firstIndex(of: "from"), nameOfField.contains(fromIndex) else {
            throw DKIMError.missingFrom
        }
        var fields: [Int] = []
        var hTag: [Int] = []
        fields.reserveCapacity(nameOfField.count)
        hTag.reserveCapacity(nameOfField.count + names.count)
        for nameIndex in names.indices {
            var found = 0
            for fieldIndex in nameOfField.indices.reversed() where nameOfField[fieldIndex] == nameIndex {
                fields.append(fieldIndex)
                found += 1
            }
            hTag.append(contentsOf: repeatElement(nameIndex, count: found + (overSigned[nameIndex] ? 1 : 0)))
        }
        return (fields, hTag)
    }

    /// A message with bare-LF lines gets a bare-LF signature field, so the result is consistent either way.
    private static func matchLineEndings(_ field: inout [UInt8], of message: UnsafeBufferPointer<UInt8>) {
        guard let firstLF = message.firstIndex(of: 10), firstLF == 0 || message[firstLF - 1] != 13 else { return }
        field.removeAll(where: { $0 == 13 })
    }

    private static func equalsIgnoringCase(_ name: UnsafeBufferPointer<UInt8>, _ lowercased: [UInt8]) -> Bool {
        guard name.count == lowercased.count else { return false }
        for index in 0..<name.count {
            let byte = name[index]
            if (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) != lowercased[index] { return false }
        }
        return true
    }

    private static func isHostname(_ text: String) -> Bool {
        let labels = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return !text.isEmpty && text.utf8.count <= 253 && labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
        }
    }
}
