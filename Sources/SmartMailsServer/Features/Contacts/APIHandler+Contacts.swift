import Foundation
import OpenAPIRuntime
import SmartMailsAPI
import SmartMailsApp
import SmartMailsCore

extension APIHandler {
    func listContacts(_ input: Operations.ListContacts.Input) async throws -> Operations.ListContacts.Output {
        let caller = try Caller.authenticated()
        let q = input.query
        let query = Self.query(emailPrefix: q.emailPrefix, tag: q.tag, status: q.status, listID: q.listId, segmentID: q.segmentId, updatedSince: q.updatedSince)
        let page = try await contacts.list(
            workspaceID: caller.workspaceID, query: query, page: try PageCursor.request(limit: q.limit, cursor: q.cursor, idPrefix: Contact.idPrefix)
        )
        return .ok(.init(body: .json(.init(data: page.items.map { .init($0) }, hasMore: page.hasMore, nextCursor: PageCursor.next(after: page)))))
    }

    /// The filters the list and the export share.
    private static func query(
        emailPrefix: String?, tag: String?, status: Components.Schemas.ContactStatus?, listID: String?, segmentID: String?, updatedSince: Date?
    ) -> ContactQuery {
        ContactQuery(
            emailPrefix: emailPrefix, tag: tag, status: status.flatMap { ContactStatus(rawValue: $0.rawValue) }, listID: listID,
            segmentID: segmentID, updatedSince: updatedSince.map(Timestamp.init)
        )
    }

    func createContact(_ input: Operations.CreateContact.Input) async throws -> Operations.CreateContact.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        let changes = try ContactWireFields(body).changes()
        guard changes.email != nil else { throw ValidationError(param: "email", message: "A new contact needs an email.") }
        let contact = try await contacts.create(changes, workspaceID: caller.workspaceID, by: caller.changeActor)
        return .created(.init(body: .json(.init(contact))))
    }

    func getContact(_ input: Operations.GetContact.Input) async throws -> Operations.GetContact.Output {
        let caller = try Caller.authenticated()
        let details = try await contacts.details(id: input.path.id, workspaceID: caller.workspaceID)
        return .ok(.init(body: .json(.init(details.contact, memberships: details.memberships))))
    }

    func updateContact(_ input: Operations.UpdateContact.Input) async throws -> Operations.UpdateContact.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        let contact = try await contacts.update(id: input.path.id, changes: try ContactWireFields(body).changes(), workspaceID: caller.workspaceID, by: caller.changeActor)
        return .ok(.init(body: .json(.init(contact))))
    }

    func eraseContact(_ input: Operations.EraseContact.Input) async throws -> Operations.EraseContact.Output {
        let caller = try Caller.authenticated()
        let erased = try await contacts.erase(id: input.path.id, workspaceID: caller.workspaceID, by: caller.changeActor)
        return .ok(.init(body: .json(.init(id: erased.id, object: .contact, erased: true, suppressed: erased.status.isSuppression))))
    }

    func upsertContactByEmail(_ input: Operations.UpsertContactByEmail.Input) async throws -> Operations.UpsertContactByEmail.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        var changes = try ContactWireFields(body).changes()
        let email = try ContactEmail.parse(input.path.email, param: "email")
        if let given = changes.email, given.key != email.key {
            throw ValidationError(param: "email", message: "The body's email differs from the address in the path; change an address through PATCH /v1/contacts/{id}.")
        }
        let onlyMatches = changes.email == nil
        changes.email = changes.email ?? email
        let item = ContactUpsert(match: .email, changes: changes, emailOnlyMatches: onlyMatches)
        let (contact, created) = try await contacts.upsert(item, workspaceID: caller.workspaceID, by: caller.changeActor)
        return created ? .created(.init(body: .json(.init(contact)))) : .ok(.init(body: .json(.init(contact))))
    }

    func upsertContactByExternalId(_ input: Operations.UpsertContactByExternalId.Input) async throws -> Operations.UpsertContactByExternalId.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        var changes = try ContactWireFields(body).changes()
        let externalID = try ContactChanges.externalID(input.path.externalId)
        if let given = changes.externalID, given != externalID {
            throw ValidationError(param: "external_id", message: "The body's external_id differs from the one in the path.")
        }
        changes.externalID = externalID
        let (contact, created) = try await contacts.upsert(ContactUpsert(match: .externalID, changes: changes), workspaceID: caller.workspaceID, by: caller.changeActor)
        return created ? .created(.init(body: .json(.init(contact)))) : .ok(.init(body: .json(.init(contact))))
    }

    func batchUpsertContacts(_ input: Operations.BatchUpsertContacts.Input) async throws -> Operations.BatchUpsertContacts.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        guard !body.contacts.isEmpty else { throw ValidationError(param: "contacts", message: "Send 1 to \(ContactService.maximumBatch) contacts.") }
        let now = Timestamp.now
        let items = body.contacts.map { item in Result { () throws(ValidationError) in try Self.upsertItem(item, now: now) } }
        let outcomes = try await contacts.batch(items, workspaceID: caller.workspaceID, by: caller.changeActor, now: now)
        var tally = UpsertTally()
        let results = outcomes.enumerated().map { index, outcome -> Components.Schemas.BatchItemResult in
            tally.count(outcome)
            return switch outcome {
            case .created(let contact): .init(index: index, result: .created, id: contact.id)
            case .updated(let contact): .init(index: index, result: .updated, id: contact.id)
            case .unchanged(let contact): .init(index: index, result: .unchanged, id: contact.id)
            case .failed(let code, let param, let message): .init(index: index, result: .failed, error: .init(code: code, message: message, param: param))
            }
        }
        return .ok(.init(body: .json(.init(data: results, created: tally.created, updated: tally.updated, unchanged: tally.unchanged, failed: tally.failed))))
    }

    private static func upsertItem(_ item: Components.Schemas.BatchUpsertRequest.ContactsPayloadPayload, now: Timestamp) throws(ValidationError) -> ContactUpsert {
        let match: ContactUpsert.Match = item.matchBy == .externalId ? .externalID : .email
        let changes = try ContactWireFields(item).changes(now: now)
        if match == .externalID, changes.externalID?.isEmpty ?? true {
            throw ValidationError(param: "external_id", message: "match_by external_id needs an external_id.")
        }
        return ContactUpsert(match: match, changes: changes)
    }

    func exportContacts(_ input: Operations.ExportContacts.Input) async throws -> Operations.ExportContacts.Output {
        let caller = try Caller.authenticated()
        let q = input.query
        let query = Self.query(emailPrefix: q.emailPrefix, tag: q.tag, status: q.status, listID: q.listId, segmentID: q.segmentId, updatedSince: q.updatedSince)
        let format: ContactExportFormat = q.format == .ndjson ? .ndjson : .csv
        let lines = try await ContactExportFormat.lines(format, contacts: contacts, workspaceID: caller.workspaceID, query: query)
        let body = HTTPBody(lines.map { ArraySlice($0.utf8) }, length: .unknown, iterationBehavior: .single)
        return .ok(.init(body: format == .csv ? .csv(body) : .applicationXNdjson(body)))
    }
}

extension Caller {
    var changeActor: ChangeActor { ChangeActor(id: key.id, ip: clientAddress?.description, channel: "api") }
}
