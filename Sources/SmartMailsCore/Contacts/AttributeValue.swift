/// One value of a contact's `attributes`: a string, a number, a boolean or a date. Dates are strings in the RFC 3339
/// canonical form (UTC, to the second, or a bare `YYYY-MM-DD`), so they compare correctly as text in SQL.
public enum AttributeValue: Sendable, Hashable {
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case date(String)

    /// The type a CSV column's text is read as (import `attribute_types`); `string` when not given.
    public enum Kind: String, Sendable, CaseIterable {
        case string, number, boolean, date
    }

    public var kind: Kind {
        switch self {
        case .string: .string
        case .integer, .number: .number
        case .bool: .boolean
        case .date: .date
        }
    }

    /// The longest string value kept.
    public static let maximumStringLength = 2048

    /// A JSON value as an attribute: strings that are RFC 3339 dates become dates; objects, arrays and null are not
    /// attribute values (nil; the caller names the field).
    public init?(json: JSONValue) {
        switch json {
        case .string(let text):
            self = RFC3339.canonical(text).map(AttributeValue.date) ?? .string(text)
        case .integer(let value): self = .integer(value)
        case .number(let value):
            guard value.isFinite else { return nil }
            // 42.0 from a JSON decoder that reads every number as a double is the integer 42 stored before.
            if value.rounded() == value, abs(value) < 9e15 { self = .integer(Int64(value)) } else { self = .number(value) }
        case .bool(let value): self = .bool(value)
        case .null, .array, .object: return nil
        }
    }

    /// Text read as `kind` (a CSV cell): numbers in decimal, booleans as true/false/yes/no/1/0, dates in RFC 3339.
    public init?(text: String, as kind: Kind) {
        switch kind {
        case .string: self = .string(text)
        case .number:
            let trimmed = Substring(text).trimmingSpacesAndTabs
            if let value = Int64(trimmed) { self = .integer(value) } else if let value = Double(trimmed), value.isFinite { self = .number(value) } else { return nil }
        case .boolean:
            switch Substring(text).trimmingSpacesAndTabs.lowercased() {
            case "true", "yes", "1", "y": self = .bool(true)
            case "false", "no", "0", "n": self = .bool(false)
            default: return nil
            }
        case .date:
            guard let canonical = RFC3339.canonical(String(Substring(text).trimmingSpacesAndTabs)) else { return nil }
            self = .date(canonical)
        }
    }

    public var json: JSONValue {
        switch self {
        case .string(let text), .date(let text): .string(text)
        case .integer(let value): .integer(value)
        case .number(let value): .number(value)
        case .bool(let value): .bool(value)
        }
    }

    /// How the value reads in a CSV cell or a page.
    public var text: String {
        switch self {
        case .string(let text), .date(let text): text
        case .integer(let value): String(value)
        case .number(let value): JSONValue.format(value)
        case .bool(let value): value ? "true" : "false"
        }
    }
}
