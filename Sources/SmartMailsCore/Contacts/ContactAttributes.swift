/// A contact's custom fields: at most 100 keys and 16 KB as stored JSON. Keys are identifiers
/// (`[A-Za-z_][A-Za-z0-9_]{0,63}`), which segment rules name in SQL JSON paths without any quoting question.
public struct ContactAttributes: Sendable, Hashable {
    public static let maximumCount = 100
    public static let maximumBytes = 16 * 1024

    public let values: [String: AttributeValue]
    /// The stored form: compact JSON with sorted keys, so equal attributes are equal text. Made once, with the value:
    /// an import of a million rows checks, compares and writes it.
    public let jsonText: String

    public init() {
        values = [:]
        jsonText = "{}"
    }

    public init(_ values: [String: AttributeValue]) {
        self.values = values
        jsonText = Self.json(values)
    }

    public static func == (lhs: ContactAttributes, rhs: ContactAttributes) -> Bool { lhs.jsonText == rhs.jsonText }
    public func hash(into hasher: inout Hasher) { hasher.combine(jsonText) }

    public subscript(key: String) -> AttributeValue? { values[key] }

    public var isEmpty: Bool { values.isEmpty }

    private static func json(_ values: [String: AttributeValue]) -> String {
        if values.isEmpty { return "{}" }
        var output = "{"
        for (index, key) in values.keys.sorted().enumerated() {
            if index > 0 { output += "," }
            JSONValue.writeString(key, to: &output)
            output += ":"
            values[key]!.json.write(to: &output)
        }
        return output + "}"
    }

    public static func isValidKey(_ key: String) -> Bool {
        let utf8 = key.utf8
        guard let first = utf8.first, utf8.count <= 64, first == UInt8(ascii: "_") || first.isASCIILetter else { return false }
        return utf8.allSatisfy { $0 == UInt8(ascii: "_") || $0.isASCIILetter || ($0 >= 0x30 && $0 <= 0x39) }
    }

    /// Sets the given keys and removes those given as nil; fails when the result breaks the limits.
    public func merging(_ changes: [String: AttributeValue?], param: String = "attributes") throws(ValidationError) -> ContactAttributes {
        var merged = values
        for (key, value) in changes { merged[key] = value }
        let result = ContactAttributes(merged)
        try result.checkLimits(param: param)
        return result
    }

    /// Only the keys that have no value yet (import's `fill_empty`).
    public func filling(_ changes: [String: AttributeValue?], param: String = "attributes") throws(ValidationError) -> ContactAttributes {
        var merged = values
        for (key, value) in changes where merged[key] == nil { merged[key] = value }
        let result = ContactAttributes(merged)
        try result.checkLimits(param: param)
        return result
    }

    public func checkLimits(param: String = "attributes") throws(ValidationError) {
        guard values.count <= Self.maximumCount else {
            throw ValidationError(param: param, message: "A contact has at most \(Self.maximumCount) attributes; this one would have \(values.count).")
        }
        let size = jsonText.utf8.count
        guard size <= Self.maximumBytes else {
            throw ValidationError(param: param, message: "A contact's attributes are at most \(Self.maximumBytes) bytes as JSON; these are \(size).")
        }
    }

    /// Attribute changes from a JSON object: values are strings, numbers, booleans or dates, and null removes a key.
    public static func changes(from json: [String: JSONValue], param: String = "attributes") throws(ValidationError) -> [String: AttributeValue?] {
        guard json.count <= maximumCount else {
            throw ValidationError(param: param, message: "A contact has at most \(maximumCount) attributes; \(json.count) were given.")
        }
        var changes: [String: AttributeValue?] = [:]
        for (key, value) in json {
            guard isValidKey(key) else {
                throw ValidationError(param: "\(param).\(key.prefix(70))", message: "Attribute names are 1 to 64 letters, digits and underscores, starting with a letter or underscore.")
            }
            if case .null = value {
                changes[key] = .some(nil)
                continue
            }
            guard let attribute = AttributeValue(json: value) else {
                throw ValidationError(param: "\(param).\(key)", message: "Attribute values are strings, numbers, booleans or RFC 3339 dates, not an \(value.typeName).")
            }
            if case .string(let text) = attribute, text.count > AttributeValue.maximumStringLength {
                throw ValidationError(param: "\(param).\(key)", message: "Attribute strings are at most \(AttributeValue.maximumStringLength) characters.")
            }
            changes[key] = attribute
        }
        return changes
    }
}

extension UInt8 {
    var isASCIILetter: Bool { (self >= 0x41 && self <= 0x5A) || (self >= 0x61 && self <= 0x7A) }
}
