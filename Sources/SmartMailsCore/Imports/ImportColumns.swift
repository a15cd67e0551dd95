/// A file's columns resolved to targets, and a row read into a contact's changes through them.
public struct ImportColumns: Sendable {
    public let targets: [ImportTarget]
    public let headers: [String]
    let attributeTypes: [String: AttributeValue.Kind]

    /// Columns named after a field (`email`, `E-Mail`, `First Name`, `firstname`, …) fill it; the others become
    /// attributes named after the header (`Company Name` → `company_name`) unless `options.mapping` says otherwise.
    /// Fails when no column is the e-mail or two columns fill one target.
    public init(header: [String], options: ImportOptions) throws(ValidationError) {
        var targets: [ImportTarget] = []
        var seen: [ImportTarget: String] = [:]
        for name in header {
            let target = options.mapping[name] ?? Self.guess(name)
            if target != .ignore, let other = seen[target] {
                throw ValidationError(param: "mapping", message: "The columns '\(other.prefix(60))' and '\(name.prefix(60))' both fill \(target.name); map one of them to another field or to ignore.")
            }
            seen[target] = name
            targets.append(target)
        }
        for name in options.mapping.keys where !header.contains(name) {
            throw ValidationError(param: "mapping", message: "The file has no column '\(name.prefix(60))'; its columns are \(header.prefix(20).map { "'\($0.prefix(40))'" }.joined(separator: ", ")).")
        }
        guard seen[.email] != nil else {
            throw ValidationError(param: "mapping", message: "No column holds the e-mail address: name one 'email' or map it in `mapping`.")
        }
        self.targets = targets
        self.headers = header
        self.attributeTypes = options.attributeTypes
    }

    static func guess(_ header: String) -> ImportTarget {
        let simple = String(header.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || $0.properties.numericType != nil })
        switch simple {
        case "email", "emailaddress", "mail": return .email
        case "firstname", "givenname", "forename": return .firstName
        case "lastname", "surname", "familyname": return .lastName
        case "externalid": return .externalID
        case "tags": return .tags
        case "timezone", "tz": return .timeZone
        case "locale", "language": return .locale
        case "status": return .status
        // An export's own columns, which an import does not set: the store keeps ids and times itself.
        case "id", "createdat", "updatedat": return .ignore
        default: break
        }
        if let target = ImportTarget(name: header), case .attribute = target { return target }
        let key = attributeKey(header)
        return key.isEmpty ? .ignore : .attribute(key)
    }

    /// A header as an attribute name: lower-cased, runs of other characters as one `_`, at most 64 characters.
    static func attributeKey(_ header: String) -> String {
        var key = ""
        for scalar in header.lowercased().unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                key.unicodeScalars.append(scalar)
            } else if !key.isEmpty, !key.hasSuffix("_") {
                key += "_"
            }
        }
        while key.hasSuffix("_") { key.removeLast() }
        if let first = key.unicodeScalars.first, ("0"..."9").contains(first) { key = "_" + key }
        return String(key.prefix(64))
    }

    /// The row's changes (empty cells change nothing), or why the row cannot be imported.
    public func changes(for fields: [String]) throws(ValidationError) -> ContactChanges {
        guard fields.count == targets.count else {
            throw ValidationError(param: "row", message: "The row has \(fields.count) fields; the header has \(targets.count).")
        }
        var changes = ContactChanges()
        for (index, cell) in fields.enumerated() where !cell.isEmpty {
            let header = headers[index]
            switch targets[index] {
            case .email: changes.email = try ContactEmail.parse(cell, param: header)
            case .firstName: changes.firstName = try ContactChanges.name(cell, param: header)
            case .lastName: changes.lastName = try ContactChanges.name(cell, param: header)
            case .externalID: changes.externalID = try ContactChanges.externalID(cell, param: header)
            case .tags:
                let tags = cell.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "|" }).map(String.init)
                changes.tags = try ContactChanges.tags(tags.filter { !$0.allSatisfy(\.isWhitespace) }, param: header)
            case .timeZone: changes.timeZone = try ContactChanges.timeZone(cell, param: header)
            case .locale: changes.locale = try ContactChanges.locale(cell, param: header)
            case .status:
                guard let status = ContactStatus(rawValue: cell.lowercased()) else {
                    throw ValidationError(param: header, message: "'\(cell.prefix(40))' is not a status (active, unsubscribed, bounced, complained).")
                }
                changes.status = status
            case .attribute(let key):
                let kind = attributeTypes[key] ?? .string
                guard let value = AttributeValue(text: cell, as: kind) else {
                    throw ValidationError(param: header, message: "'\(cell.prefix(60))' is not a \(kind.rawValue).")
                }
                if case .string(let text) = value, text.count > AttributeValue.maximumStringLength {
                    throw ValidationError(param: header, message: "Attribute strings are at most \(AttributeValue.maximumStringLength) characters.")
                }
                changes.attributes[key] = value
            case .ignore: break
            }
        }
        guard changes.email != nil else { throw ValidationError(param: "email", message: "The row has no e-mail address.") }
        return changes
    }
}
