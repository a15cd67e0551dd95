/// How an import reads its file: which column is which field or attribute, the attributes' types, the list to add
/// every contact to, and what to do with contacts that exist already.
public struct ImportOptions: Sendable, Hashable {
    /// Header (as in the file) to what its column fills. Columns not named here are mapped by `ImportColumns`.
    public var mapping: [String: ImportTarget]
    /// Attribute name to the type its cells are read as (`string` when not named).
    public var attributeTypes: [String: AttributeValue.Kind]
    public var listID: String?
    public var onConflict: ConflictPolicy

    public init(mapping: [String: ImportTarget] = [:], attributeTypes: [String: AttributeValue.Kind] = [:], listID: String? = nil, onConflict: ConflictPolicy = .update) {
        self.mapping = mapping
        self.attributeTypes = attributeTypes
        self.listID = listID
        self.onConflict = onConflict
    }
}

/// What a CSV column fills.
public enum ImportTarget: Sendable, Hashable {
    case email, firstName, lastName, externalID, tags, timeZone, locale, status
    case attribute(String)
    case ignore

    /// `email`, `first_name`, …, `attributes.<name>` or `ignore`, as mappings are written.
    public init?(name: String) {
        switch name {
        case "email": self = .email
        case "first_name": self = .firstName
        case "last_name": self = .lastName
        case "external_id": self = .externalID
        case "tags": self = .tags
        case "time_zone": self = .timeZone
        case "locale": self = .locale
        case "status": self = .status
        case "ignore": self = .ignore
        default:
            guard name.hasPrefix("attributes."), ContactAttributes.isValidKey(String(name.dropFirst(11))) else { return nil }
            self = .attribute(String(name.dropFirst(11)))
        }
    }

    public var name: String {
        switch self {
        case .email: "email"
        case .firstName: "first_name"
        case .lastName: "last_name"
        case .externalID: "external_id"
        case .tags: "tags"
        case .timeZone: "time_zone"
        case .locale: "locale"
        case .status: "status"
        case .attribute(let key): "attributes.\(key)"
        case .ignore: "ignore"
        }
    }
}
