import Foundation
import SQLKit
import SmartMailsCore

/// How contacts are read from and written to rows, on both engines (JSONB columns are read as text on PostgreSQL).
enum ContactRows {
    static let insertColumns = """
        id, workspace_id, email, email_key, first_name, last_name, external_id, attributes, tags, time_zone, locale, \
        status, consent_source, consent_at, consent_ip, consent_text, created_at, updated_at
        """

    static func selectColumns(_ kind: DatabaseKind) -> String {
        let json = kind == .postgres
            ? "contacts.attributes::text AS attributes, contacts.tags::text AS tags"
            : "json(contacts.attributes) AS attributes, json(contacts.tags) AS tags"
        return """
            contacts.id, contacts.workspace_id, contacts.email, contacts.first_name, contacts.last_name, contacts.external_id, \(json), \
            contacts.time_zone, contacts.locale, contacts.status, contacts.consent_source, contacts.consent_at, contacts.consent_ip, \
            contacts.consent_text, contacts.created_at, contacts.updated_at
            """
    }

    /// The column types of a contact row, for PostgreSQL's `jsonb_to_recordset`.
    static let recordTypes = """
        id text, workspace_id text, email text, email_key text, first_name text, last_name text, external_id text, \
        attributes jsonb, tags jsonb, time_zone text, locale text, status text, consent_source text, consent_at bigint, \
        consent_ip text, consent_text text, created_at bigint, updated_at bigint
        """

    /// `SELECT <columns> FROM <the rows of one JSON array bind>`: a chunk of rows travels as one value instead of 18
    /// binds each, which SQLKit would encode one by one.
    static func appendRowSource(_ contacts: some Collection<Contact>, kind: DatabaseKind, to query: inout SQLQueryString) {
        var json = "["
        for (index, contact) in contacts.enumerated() {
            if index > 0 { json += "," }
            appendJSON(contact, to: &json)
        }
        json += "]"
        if kind == .postgres {
            query.raw("SELECT \(insertColumns) FROM jsonb_to_recordset(")
            query.bind(json)
            query.raw("::jsonb) AS r(\(recordTypes))")
        } else {
            let columns = insertColumns.split(separator: ",").map { name in
                let column = name.trimmingCharacters(in: .whitespaces)
                let value = "json_extract(value, '$.\(column)')"
                return column == "attributes" || column == "tags" ? "jsonb(\(value))" : value
            }
            query.raw("SELECT \(columns.joined(separator: ", ")) FROM json_each(")
            query.bind(json)
            query.raw(") WHERE true")
        }
    }

    static func appendJSON(_ contact: Contact, to json: inout String) {
        func field(_ name: String, _ value: String?, first: Bool = false) {
            json += first ? "{\"" : ",\""
            json += name
            json += "\":"
            if let value { JSONValue.writeString(value, to: &json) } else { json += "null" }
        }
        func number(_ name: String, _ value: Int64?) {
            json += ",\"" + name + "\":" + (value.map(String.init) ?? "null")
        }
        field("id", contact.id, first: true)
        field("workspace_id", contact.workspaceID)
        field("email", contact.email.address)
        field("email_key", contact.email.key)
        field("first_name", contact.firstName)
        field("last_name", contact.lastName)
        field("external_id", contact.externalID)
        json += ",\"attributes\":" + contact.attributes.jsonText
        json += ",\"tags\":" + JSONValue.array(contact.tags.map(JSONValue.string)).jsonText
        field("time_zone", contact.timeZone)
        field("locale", contact.locale)
        field("status", contact.status.rawValue)
        field("consent_source", contact.consent?.source)
        number("consent_at", contact.consent?.at.millisecondsSinceEpoch)
        field("consent_ip", contact.consent?.ip)
        field("consent_text", contact.consent?.text)
        number("created_at", contact.createdAt.millisecondsSinceEpoch)
        number("updated_at", contact.updatedAt.millisecondsSinceEpoch)
        json += "}"
    }

    static let updateAssignments = """
        email = excluded.email, email_key = excluded.email_key, first_name = excluded.first_name, \
        last_name = excluded.last_name, external_id = excluded.external_id, attributes = excluded.attributes, \
        tags = excluded.tags, time_zone = excluded.time_zone, locale = excluded.locale, status = excluded.status, \
        consent_source = excluded.consent_source, consent_at = excluded.consent_at, consent_ip = excluded.consent_ip, \
        consent_text = excluded.consent_text, updated_at = excluded.updated_at
        """

    static func contact(from row: any SQLRow) throws -> Contact {
        let attributesText = try row.string("attributes")
        let tagsText = try row.string("tags")
        var consent: Consent?
        if let source = try row.optionalString("consent_source"), let at = try row.optionalTimestamp("consent_at") {
            consent = Consent(source: source, at: at, ip: try row.optionalString("consent_ip"), text: try row.optionalString("consent_text"))
        }
        return Contact(
            id: try row.string("id"), workspaceID: try row.string("workspace_id"), email: ContactEmail(trusted: try row.string("email")),
            firstName: try row.optionalString("first_name"), lastName: try row.optionalString("last_name"),
            externalID: try row.optionalString("external_id"), attributes: try attributes(attributesText),
            tags: try tags(tagsText), timeZone: try row.optionalString("time_zone"), locale: try row.optionalString("locale"),
            status: try row.decoded("status", table: "contacts", as: ContactStatus.init(rawValue:)), consent: consent,
            createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at")
        )
    }

    static func attributes(_ text: String) throws -> ContactAttributes {
        guard text != "{}" else { return ContactAttributes() }
        let decoded = try FlatJSONReader.object(text) ?? JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8))
        var values: [String: AttributeValue] = [:]
        for (key, json) in decoded {
            guard let value = AttributeValue(json: json) else { throw StoredValueError(table: "contacts", column: "attributes", value: String(text.prefix(100))) }
            values[key] = value
        }
        return ContactAttributes(values)
    }

    static func tags(_ text: String) throws -> [String] {
        guard text != "[]" else { return [] }
        return try FlatJSONReader.strings(text) ?? JSONDecoder().decode([String].self, from: Data(text.utf8))
    }
}
