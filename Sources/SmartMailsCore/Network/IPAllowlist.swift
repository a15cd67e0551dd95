/// The networks a key may be used from; an empty list allows every address.
public struct IPAllowlist: Hashable, Sendable {
    public static let maximumEntries = 100
    public let blocks: [CIDRBlock]

    public init(_ blocks: [CIDRBlock] = []) {
        self.blocks = blocks
    }

    /// Parses CIDR strings, naming the first invalid entry as `param[index]`.
    public static func parse(_ entries: [String], param: String) throws(ValidationError) -> IPAllowlist {
        guard entries.count <= maximumEntries else {
            throw ValidationError(param: param, message: "at most \(maximumEntries) entries")
        }
        var blocks: [CIDRBlock] = []
        for (index, entry) in entries.enumerated() {
            guard let block = CIDRBlock(entry[...].trimmingSpacesAndTabs) else {
                throw ValidationError(param: "\(param)[\(index)]", message: "'\(entry)' is not an IPv4 or IPv6 address or CIDR block")
            }
            blocks.append(block)
        }
        return IPAllowlist(blocks)
    }

    public var isUnrestricted: Bool { blocks.isEmpty }

    public func allows(_ address: IPAddress?) -> Bool {
        if blocks.isEmpty { return true }
        guard let address else { return false }
        return blocks.contains { $0.contains(address) }
    }
}
