import Foundation
import SmartMailsAPI
import SmartMailsCore

/// Contact fields as the wire carries them, validated into the domain's changes; errors name the wire field.
struct ContactWireFields {
    var email: String?
    var firstName: String?
    var lastName: String?
    var externalID: String?
    var attributes: [String: JSONValue]?
    var removeAttributes: [String]?
    var tags: [String]?
    var timeZone: String?
    var locale: String?
    var status: Components.Schemas.ContactStatus?
    var consent: (source: String, at: Date?, ip: String?, text: String?)?

    init(_ input: Components.Schemas.ContactInput) {
        email = input.email; firstName = input.firstName; lastName = input.lastName; externalID = input.externalId
        attributes = input.attributes?.json
        removeAttributes = input.removeAttributes; tags = input.tags
        timeZone = input.timeZone; locale = input.locale; status = input.status
        consent = input.consent.map { ($0.source, $0.at, $0.ip, $0.text) }
    }

    init(_ item: Components.Schemas.BatchUpsertRequest.ContactsPayloadPayload) {
        email = item.email; firstName = item.firstName; lastName = item.lastName; externalID = item.externalId
        attributes = item.attributes?.json
        removeAttributes = item.removeAttributes; tags = item.tags
        timeZone = item.timeZone; locale = item.locale; status = item.status
        consent = item.consent.map { ($0.source, $0.at, $0.ip, $0.text) }
    }

    func changes(now: Timestamp = .now) throws(ValidationError) -> ContactChanges {
        var changes = ContactChanges()
        if let email { changes.email = try ContactEmail.parse(email) }
        if let firstName { changes.firstName = try ContactChanges.name(firstName, param: "first_name") }
        if let lastName { changes.lastName = try ContactChanges.name(lastName, param: "last_name") }
        if let externalID { changes.externalID = externalID.isEmpty ? "" : try ContactChanges.externalID(externalID) }
        if let attributes { changes.attributes = try ContactAttributes.changes(from: attributes) }
        for key in removeAttributes ?? [] {
            guard changes.attributes[key] == nil else {
                throw ValidationError(param: "remove_attributes", message: "'\(key.prefix(64))' is both set and removed.")
            }
            changes.attributes[key] = .some(nil)
        }
        if let tags { changes.tags = try ContactChanges.tags(tags) }
        if let timeZone { changes.timeZone = timeZone.isEmpty ? "" : try ContactChanges.timeZone(timeZone) }
        if let locale { changes.locale = locale.isEmpty ? "" : try ContactChanges.locale(locale) }
        if let status { changes.status = ContactStatus(rawValue: status.rawValue) }
        if let consent {
            let source = try ContactChanges.name(consent.source, param: "consent.source")
            guard !source.isEmpty else { throw ValidationError(param: "consent.source", message: "consent.source names where the contact agreed.") }
            if let ip = consent.ip, IPAddress(ip) == nil {
                throw ValidationError(param: "consent.ip", message: "'\(ip.prefix(45))' is not an IP address.")
            }
            let at = consent.at.map(Timestamp.init) ?? now
            guard at <= now.adding(seconds: 300) else { throw ValidationError(param: "consent.at", message: "Consent cannot be given in the future.") }
            changes.consent = Consent(source: source, at: at, ip: consent.ip, text: try ContactChanges.consentText(consent.text, param: "consent.text"))
        }
        return changes
    }
}

extension Components.Schemas.Contact {
    init(_ contact: Contact, memberships: [ListMembership]? = nil) {
        var attributes = AttributesPayload()
        for (key, value) in contact.attributes.values {
            attributes.additionalProperties[key] = switch value {
            case .string(let text), .date(let text): .case1(text)
            case .integer(let number): .case2(Double(number))
            case .number(let number): .case2(number)
            case .bool(let flag): .case3(flag)
            }
        }
        self.init(
            id: contact.id, object: .contact, email: contact.email.address, firstName: contact.firstName, lastName: contact.lastName,
            externalId: contact.externalID, attributes: attributes, tags: contact.tags, timeZone: contact.timeZone, locale: contact.locale,
            status: Components.Schemas.ContactStatus(rawValue: contact.status.rawValue)!,
            consent: contact.consent.map { .init(source: $0.source, at: $0.at.date, ip: $0.ip, text: $0.text) },
            lists: memberships?.map { .init(listId: $0.listID, name: $0.listName, state: .init(rawValue: $0.state.rawValue)!, updatedAt: $0.updatedAt.date) },
            createdAt: contact.createdAt.date, updatedAt: contact.updatedAt.date
        )
    }
}

extension Components.Schemas.Attributes {
    /// The values as the domain reads them.
    var json: [String: JSONValue] {
        additionalProperties.mapValues { value in
            switch value {
            case .case1(let text): .string(text)
            case .case2(let number): .number(number)
            case .case3(let flag): .bool(flag)
            }
        }
    }
}
