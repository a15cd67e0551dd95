/// One node of the body tree: a leaf with its own headers and encoded body, or a multipart container.
indirect enum MIMEPart {
    case leaf(headers: [(name: String, segments: [[UInt8]])], body: [UInt8])
    case multipart(subtype: String, children: [MIMEPart])

    /// Rough output size, to reserve the buffer once.
    var estimatedSize: Int {
        switch self {
        case .leaf(_, let body): body.count + 256
        case .multipart(_, let children): children.reduce(128) { $0 + $1.estimatedSize }
        }
    }

    /// Writes headers (into `writer`, which may already hold the message headers), a blank line and the body.
    /// Boundaries are `=_<seed>_<n>`: `=_` never occurs in base64 or quoted-printable output, and 7bit
    /// bodies containing the seed are sent as quoted-printable instead (see `MIMEBuilder`).
    func write(into writer: inout MIMEHeaderWriter, seed: String, counter: inout Int) {
        switch self {
        case .leaf(let headers, let body):
            for header in headers { writer.write(header.name, segments: header.segments) }
            writer.bytes.append(contentsOf: [13, 10])
            writer.bytes.append(contentsOf: body)
        case .multipart(let subtype, let children):
            let boundary = "=_\(seed)_\(counter)"
            counter += 1
            writer.write(
                "Content-Type",
                segments: [Array("multipart/\(subtype);".utf8), Array("boundary=\"\(boundary)\"".utf8)]
            )
            writer.bytes.append(contentsOf: [13, 10])
            let delimiter = Array("--\(boundary)".utf8)
            for (index, child) in children.enumerated() {
                if index > 0 { writer.bytes.append(contentsOf: [13, 10]) }
                writer.bytes.append(contentsOf: delimiter)
                writer.bytes.append(contentsOf: [13, 10])
                child.write(into: &writer, seed: seed, counter: &counter)
            }
            writer.bytes.append(contentsOf: [13, 10])
            writer.bytes.append(contentsOf: delimiter)
            writer.bytes.append(contentsOf: Array("--".utf8))
        }
    }
}
