import Foundation
import OpenAPIRuntime
import SmartMailsAPI
import SmartMailsApp
import SmartMailsCore

extension APIHandler {
    func startImport(_ input: Operations.StartImport.Input) async throws -> Operations.StartImport.Output {
        let caller = try Caller.authenticated()
        let q = input.query
        let job: ImportJob
        switch input.body {
        case .csv(let body):
            let options = try ImportOptionsWire.options(
                listID: q.listId, onConflict: q.onConflict, mapping: try ImportOptionsWire.object(q.mapping, param: "mapping"),
                attributeTypes: try ImportOptionsWire.object(q.attributeTypes, param: "attribute_types")
            )
            job = try await imports.start(workspaceID: caller.workspaceID, body: body, fileName: q.fileName, options: options, by: caller.changeActor)
        case .multipartForm(let parts):
            // The options part, when sent, comes before the file: the upload is checked against them as it streams.
            var options = try ImportOptionsWire.options(listID: q.listId, onConflict: q.onConflict, mapping: nil, attributeTypes: nil)
            var started: ImportJob?
            do {
            for try await part in parts {
                switch part {
                case .options(let wrapped):
                    guard started == nil else { throw ValidationError(param: "options", message: "Send the options part before the file.") }
                    let wire = wrapped.payload.body
                    options = try ImportOptionsWire.options(
                        listID: wire.listId ?? q.listId, onConflict: wire.onConflict ?? q.onConflict,
                        mapping: wire.mapping?.additionalProperties, attributeTypes: wire.attributeTypes?.additionalProperties.mapValues(\.rawValue)
                    )
                case .file(let wrapped):
                    guard started == nil else { throw ValidationError(param: "file", message: "Send one file per import.") }
                    started = try await imports.start(
                        workspaceID: caller.workspaceID, body: wrapped.payload.body, fileName: q.fileName ?? wrapped.filename, options: options, by: caller.changeActor
                    )
                case .undocumented(let raw):
                    throw ValidationError(param: raw.name ?? "part", message: "The upload takes a 'file' part and an optional 'options' part.")
                }
            }
            } catch let error as any APIErrorConvertible {
                // A refused request starts nothing: an import the bad part came after is cancelled.
                if let started { _ = try? await imports.cancel(id: started.id, workspaceID: caller.workspaceID, by: caller.changeActor) }
                throw error
            } catch let error as DecodingError {
                if let started { _ = try? await imports.cancel(id: started.id, workspaceID: caller.workspaceID, by: caller.changeActor) }
                throw error
            } catch {
                if let started { _ = try? await imports.cancel(id: started.id, workspaceID: caller.workspaceID, by: caller.changeActor) }
                // The runtime's own failures to read a part (a content type the spec does not list, say).
                throw APIError.badRequest("invalid_request", "The multipart upload could not be read: a part has a content type or shape this operation does not take.")
            }
            guard let started else { throw ValidationError(param: "file", message: "The upload has no 'file' part.") }
            job = started
        }
        return .accepted(.init(body: .json(.init(job))))
    }

    func listImports(_ input: Operations.ListImports.Input) async throws -> Operations.ListImports.Output {
        let caller = try Caller.authenticated()
        let page = try await imports.jobs(
            workspaceID: caller.workspaceID, page: try PageCursor.request(limit: input.query.limit, cursor: input.query.cursor, idPrefix: ImportJob.idPrefix)
        )
        return .ok(.init(body: .json(.init(data: page.items.map { .init($0) }, hasMore: page.hasMore, nextCursor: PageCursor.next(after: page)))))
    }

    func getImport(_ input: Operations.GetImport.Input) async throws -> Operations.GetImport.Output {
        let caller = try Caller.authenticated()
        return .ok(.init(body: .json(.init(try await imports.job(id: input.path.id, workspaceID: caller.workspaceID)))))
    }

    func cancelImport(_ input: Operations.CancelImport.Input) async throws -> Operations.CancelImport.Output {
        let caller = try Caller.authenticated()
        return .ok(.init(body: .json(.init(try await imports.cancel(id: input.path.id, workspaceID: caller.workspaceID, by: caller.changeActor)))))
    }
}

/// Import options from the query (JSON objects in `mapping` and `attribute_types`) or the multipart `options` part.
enum ImportOptionsWire {
    static func object(_ text: String?, param: String) throws(ValidationError) -> [String: String]? {
        guard let text else { return nil }
        guard let decoded = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) else {
            throw ValidationError(param: param, message: "\(param) is a JSON object of strings, such as {\"E-Mail\": \"email\"}.")
        }
        return decoded
    }

    static func options(listID: String?, onConflict: Components.Schemas.ConflictPolicy?, mapping: [String: String]?, attributeTypes: [String: String]?) throws(ValidationError) -> ImportOptions {
        var options = ImportOptions(listID: listID, onConflict: onConflict.flatMap { ConflictPolicy(rawValue: $0.rawValue) } ?? .update)
        for (header, name) in mapping ?? [:] {
            guard let target = ImportTarget(name: name) else {
                throw ValidationError(param: "mapping", message: "'\(name.prefix(80))' is not a field: map columns to email, first_name, last_name, external_id, tags, time_zone, locale, status, attributes.<name> or ignore.")
            }
            options.mapping[header] = target
        }
        for (key, name) in attributeTypes ?? [:] {
            guard ContactAttributes.isValidKey(key), let kind = AttributeValue.Kind(rawValue: name) else {
                throw ValidationError(param: "attribute_types", message: "attribute_types maps attribute names to string, number, boolean or date; '\(key.prefix(64))': '\(name.prefix(20))' is not that.")
            }
            options.attributeTypes[key] = kind
        }
        return options
    }
}

extension Components.Schemas.Import {
    init(_ job: ImportJob) {
        self.init(
            id: job.id, object: ._import, status: .init(rawValue: job.status.rawValue)!, fileName: job.fileName, listId: job.options.listID,
            onConflict: .init(rawValue: job.options.onConflict.rawValue)!, bytesTotal: Int(job.bytesTotal), rowsTotal: job.rowsTotal,
            rowsRead: job.rowsRead, created: job.tally.created, updated: job.tally.updated, unchanged: job.tally.unchanged, failed: job.tally.failed,
            errors: job.errors.map { .init(line: $0.line, field: $0.field, message: $0.message) }, failure: job.failure,
            createdAt: job.createdAt.date, startedAt: job.startedAt?.date, finishedAt: job.finishedAt?.date
        )
    }
}
