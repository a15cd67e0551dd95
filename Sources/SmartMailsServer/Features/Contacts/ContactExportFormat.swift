import Synchronization
import SmartMailsApp
import SmartMailsCore

/// How an export writes contacts: NDJSON (one contact object per line, as the API returns them) or CSV (a column per
/// field and one `attributes.<name>` column per attribute, which an import reads back into the same attributes).
public enum ContactExportFormat: Sendable {
    case csv
    case ndjson

    public init?(name: String) {
        switch name {
        case "csv": self = .csv
        case "ndjson": self = .ndjson
        default: return nil
        }
    }

    static let csvFields = ["id", "email", "first_name", "last_name", "external_id", "status", "tags", "time_zone", "locale", "created_at", "updated_at"]

    /// The export as text chunks, a page of contacts each, read from the store as the client takes them. A CSV
    /// export starts with its header even when no contact matches, so the file still imports.
    public static func lines(_ format: ContactExportFormat, contacts: ContactService, workspaceID: String, query: ContactQuery) async throws -> AsyncThrowingStream<String, any Error> {
        let keys = format == .csv ? try await contacts.attributeKeys(workspaceID: workspaceID, query: query) : []
        let pages = ExportPages(try await contacts.export(workspaceID: workspaceID, query: query))
        let header = format == .csv ? CSVWriter.line(csvFields + keys.map { "attributes." + $0 }) : nil
        return AsyncThrowingStream {
            if let header = pages.takeHeader(header) { return header }
            guard let page = try await pages.next() else { return nil }
            var text = ""
            for contact in page {
                text += format == .csv ? csvLine(contact, attributeKeys: keys) : jsonLine(contact)
            }
            return text
        }
    }

    static func csvLine(_ contact: Contact, attributeKeys: [String]) -> String {
        var fields = [
            contact.id, contact.email.address, contact.firstName ?? "", contact.lastName ?? "", contact.externalID ?? "", contact.status.rawValue,
            contact.tags.joined(separator: ";"), contact.timeZone ?? "", contact.locale ?? "",
            RFC3339.format(contact.createdAt), RFC3339.format(contact.updatedAt),
        ]
        for key in attributeKeys { fields.append(contact.attributes[key]?.text ?? "") }
        return CSVWriter.line(fields)
    }

    /// The contact as the API's JSON, written directly: an export of a million contacts should not pay for a
    /// JSONEncoder per row.
    static func jsonLine(_ contact: Contact) -> String {
        var object: [String: JSONValue] = [
            "id": .string(contact.id), "object": .string("contact"), "email": .string(contact.email.address),
            "attributes": .object(contact.attributes.values.mapValues(\.json)), "tags": .array(contact.tags.map(JSONValue.string)),
            "status": .string(contact.status.rawValue), "created_at": .string(RFC3339.format(contact.createdAt)),
            "updated_at": .string(RFC3339.format(contact.updatedAt)),
        ]
        if let value = contact.firstName { object["first_name"] = .string(value) }
        if let value = contact.lastName { object["last_name"] = .string(value) }
        if let value = contact.externalID { object["external_id"] = .string(value) }
        if let value = contact.timeZone { object["time_zone"] = .string(value) }
        if let value = contact.locale { object["locale"] = .string(value) }
        if let consent = contact.consent {
            var entry: [String: JSONValue] = ["source": .string(consent.source), "at": .string(RFC3339.format(consent.at))]
            if let ip = consent.ip { entry["ip"] = .string(ip) }
            if let text = consent.text { entry["text"] = .string(text) }
            object["consent"] = .object(entry)
        }
        return JSONValue.object(object).jsonText + "\n"
    }
}

/// The pages of an export, taken one at a time by the stream that writes them.
private final class ExportPages: @unchecked Sendable {
    // Only the stream's one consumer calls `next()`, one call at a time: the iterator needs no lock of its own.
    private var iterator: AsyncThrowingStream<[Contact], any Error>.AsyncIterator
    private let headerSent = Mutex(false)

    init(_ pages: AsyncThrowingStream<[Contact], any Error>) { iterator = pages.makeAsyncIterator() }

    func takeHeader(_ header: String?) -> String? {
        guard let header else { return nil }
        return headerSent.withLock { sent in defer { sent = true }; return sent ? nil : header }
    }

    func next() async throws -> [Contact]? { try await iterator.next() }
}
