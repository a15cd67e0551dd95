import Foundation
import Hummingbird
import SmartMailsApp
import SmartMailsCore
import SmartMailsAPI

/// Audience → Imports: the upload with its column mapping (the page's script reads the file's header in the browser,
/// offers a target per column and sends the file as it is), each import's live progress, and cancelling.
extension DashboardRoutes {
    func importsPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in
            guard visitor.scopes.contains(.contactsRead) else { return forbidden(visitor, needs: .contactsRead) }
            let page = try await imports.jobs(workspaceID: visitor.workspace.id, page: PageRequest(limit: 50, afterID: nil))
            let allLists = try await lists.lists(workspaceID: visitor.workspace.id, page: PageRequest(limit: 100, afterID: nil)).items
            return pages.render("imports", [
                "nav": visitor.navigation(current: "audienceImports"), "csrf": visitor.session.csrfToken, "canWrite": visitor.scopes.contains(.contactsWrite),
                "lists": allLists.map { ["id": $0.list.id, "name": $0.list.name] },
                "imports": page.items.map { job -> [String: Any] in
                    [
                        "id": job.id, "file": job.fileName ?? job.id, "status": job.status.rawValue, "rows": job.rowsTotal,
                        "created": job.tally.created, "updated": job.tally.updated, "failed": job.tally.failed, "when": DashboardFormat.time(job.createdAt),
                    ]
                },
            ])
        }
    }

    func uploadImport(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInFetch(request) { visitor in
            guard visitor.scopes.contains(.contactsWrite) else { return DashboardPages.json(["error": "Your role cannot change contacts."], status: .forbidden) }
            let query = request.uri.queryParameters
            func value(_ name: Substring) -> String? { query[name].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
            do {
                let options = try ImportOptionsWire.options(
                    listID: value("list_id"), onConflict: value("on_conflict").flatMap { .init(rawValue: $0) },
                    mapping: try ImportOptionsWire.object(value("mapping"), param: "mapping"),
                    attributeTypes: try ImportOptionsWire.object(value("attribute_types"), param: "attribute_types")
                )
                let job = try await imports.start(
                    workspaceID: visitor.workspace.id, body: request.body.map { ArraySlice($0.readableBytesView) },
                    fileName: value("file_name").map { String($0.prefix(255)) }, options: options, by: visitor.changeActor(ip: clientIP(request, context))
                )
                return DashboardPages.json(["id": job.id], status: .accepted)
            } catch {
                return DashboardPages.json(["error": Self.explainAudience(error)], status: .unprocessableContent)
            }
        }
    }

    func importPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in
            guard visitor.scopes.contains(.contactsRead) else { return forbidden(visitor, needs: .contactsRead) }
            guard let job = try? await imports.job(id: context.parameters.get("id") ?? "", workspaceID: visitor.workspace.id) else {
                return pages.message("Not found", "No such import in this workspace.", status: .notFound, nav: visitor.navigation(current: "audienceImports"), back: "/app/imports")
            }
            var page = Self.progress(job)
            page["nav"] = visitor.navigation(current: "audienceImports")
            page["csrf"] = visitor.session.csrfToken
            page["canCancel"] = visitor.scopes.contains(.contactsWrite) && !job.status.isFinished
            page["errorRows"] = job.errors.map { ["line": $0.line, "field": $0.field ?? "", "message": $0.message] }
            return pages.render("import", page)
        }
    }

    func importProgress(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in
            guard visitor.scopes.contains(.contactsRead),
                  let job = try? await imports.job(id: context.parameters.get("id") ?? "", workspaceID: visitor.workspace.id)
            else { return DashboardPages.json(["error": "No such import."], status: .notFound) }
            var progress = Self.progress(job)
            progress["errors"] = job.errors.map { ["line": $0.line, "field": $0.field ?? "", "message": $0.message] }
            return DashboardPages.json(progress)
        }
    }

    func cancelImportJob(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedInForm(request) { visitor, _ in
            guard visitor.scopes.contains(.contactsWrite) else { return forbidden(visitor, needs: .contactsWrite) }
            let id = context.parameters.get("id") ?? ""
            _ = try? await imports.cancel(id: id, workspaceID: visitor.workspace.id, by: visitor.changeActor(ip: clientIP(request, context)))
            return DashboardPages.redirect("/app/imports/\(id)")
        }
    }

    static func progress(_ job: ImportJob) -> [String: Any] {
        let percent = job.rowsTotal > 0 ? min(100, job.rowsRead * 100 / job.rowsTotal) : (job.status.isFinished ? 100 : 0)
        var values: [String: Any] = [
            "id": job.id, "file": job.fileName ?? job.id, "status": job.status.rawValue, "finished": job.status.isFinished,
            "rowsTotal": job.rowsTotal, "rowsRead": job.rowsRead, "percent": percent, "created": job.tally.created, "updated": job.tally.updated,
            "unchanged": job.tally.unchanged, "failed": job.tally.failed, "started": DashboardFormat.time(job.startedAt),
            "finishedAt": DashboardFormat.time(job.finishedAt),
        ]
        if let failure = job.failure { values["failure"] = failure }
        return values
    }
}
