import Foundation

/// What a create, an upsert, a patch or an imported row says about a contact, validated. nil leaves a field as it
/// is; an empty string clears it; attributes given as nil are removed.
public struct ContactChanges: Sendable, Hashable {
    public var email: ContactEmail?
    public var firstName: String?
    public var lastName: String?
    public var externalID: String?
    public var attributes: [String: AttributeValue?] = [:]
    public var tags: [String]?
    public var timeZone: String?
    public var locale: String?
    public var status: ContactStatus?
    public var consent: Consent?

    public init() {}

    public static let maximumNameLength = 200
    public static let maximumExternalIDLength = 255
    public static let maximumTags = 100
    public static let maximumTagLength = 64

    public static func name(_ text: String, param: String) throws(ValidationError) -> String {
        let trimmed = String(Substring(text).trimmingSpacesAndTabs)
        guard trimmed.count <= maximumNameLength, !trimmed.unicodeScalars.contains(where: \.isControl) else {
            throw ValidationError(param: param, message: "Names are at most \(maximumNameLength) characters, without control characters.")
        }
        return trimmed
    }

    public static func externalID(_ text: String, param: String = "external_id") throws(ValidationError) -> String {
        guard !text.isEmpty, text.utf8.count <= maximumExternalIDLength, !text.unicodeScalars.contains(where: \.isControl) else {
            throw ValidationError(param: param, message: "external_id is 1 to \(maximumExternalIDLength) bytes, without control characters.")
        }
        return text
    }

    /// Tags, trimmed, de-duplicated and sorted: letters, digits, spaces and `-_.:/`, up to 64 characters each.
    public static func tags(_ tags: [String], param: String = "tags") throws(ValidationError) -> [String] {
        var result = Set<String>()
        for tag in tags {
            let trimmed = String(Substring(tag).trimmingSpacesAndTabs)
            guard !trimmed.isEmpty, trimmed.count <= maximumTagLength,
                  trimmed.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0.properties.numericType != nil || " -_.:/".unicodeScalars.contains($0) })
            else {
                throw ValidationError(param: param, message: "'\(tag.prefix(70))' is not a tag: tags are 1 to \(maximumTagLength) letters, digits, spaces and - _ . : /.")
            }
            result.insert(trimmed)
        }
        guard result.count <= maximumTags else {
            throw ValidationError(param: param, message: "A contact has at most \(maximumTags) tags.")
        }
        return result.sorted()
    }

    /// An IANA time zone name (`Europe/Berlin`), as the system's zone database knows it.
    public static func timeZone(_ text: String, param: String = "time_zone") throws(ValidationError) -> String {
        guard text.utf8.count <= 64, TimeZone(identifier: text) != nil else {
            throw ValidationError(param: param, message: "'\(text.prefix(70))' is not an IANA time zone name such as Europe/Berlin.")
        }
        return text
    }

    /// A BCP 47 language tag's shape (`de`, `pt-BR`, `zh-Hant-TW`).
    public static func locale(_ text: String, param: String = "locale") throws(ValidationError) -> String {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let valid = text.utf8.count <= 35 && parts.count >= 1
            && (2...3).contains(parts[0].utf8.count) && parts[0].utf8.allSatisfy(\.isASCIILetter)
            && parts.dropFirst().allSatisfy { (1...8).contains($0.utf8.count) && $0.utf8.allSatisfy { $0.isASCIILetter || ($0 >= 0x30 && $0 <= 0x39) } }
        guard valid else {
            throw ValidationError(param: param, message: "'\(text.prefix(40))' is not a language tag such as en, de or pt-BR.")
        }
        return text
    }

    public static func consentText(_ text: String?, param: String) throws(ValidationError) -> String? {
        guard let text else { return nil }
        guard text.count <= 2000 else { throw ValidationError(param: param, message: "At most 2000 characters.") }
        return text
    }
}

extension Unicode.Scalar {
    var isControl: Bool { value < 0x20 || (0x7F...0x9F).contains(value) }
}
