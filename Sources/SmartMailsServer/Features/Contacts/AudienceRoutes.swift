import Hummingbird

/// The dashboard's Audience section: contacts, lists, segments and imports.
extension DashboardRoutes {
    func addAudienceRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.get("app/contacts") { request, context in try await contactList(request, context) }
        router.post("app/contacts") { request, context in try await createContact(request, context) }
        router.get("app/contacts/export") { request, context in try await exportContacts(request, context) }
        router.get("app/contacts/:id") { request, context in try await contactPage(request, context) }
        router.post("app/contacts/:id/erase") { request, context in try await eraseContact(request, context) }
        router.get("app/lists") { request, context in try await listsPage(request, context) }
        router.post("app/lists") { request, context in try await createList(request, context) }
        router.post("app/lists/:id/delete") { request, context in try await deleteList(request, context) }
        router.get("app/segments") { request, context in try await segmentsPage(request, context) }
        router.get("app/segments/new") { request, context in try await segmentEditor(request, context) }
        router.post("app/segments/preview") { request, context in try await previewSegment(request, context) }
        router.post("app/segments") { request, context in try await saveSegment(request, context) }
        router.get("app/segments/:id") { request, context in try await segmentEditor(request, context) }
        router.post("app/segments/:id") { request, context in try await saveSegment(request, context) }
        router.post("app/segments/:id/delete") { request, context in try await deleteSegment(request, context) }
        router.get("app/imports") { request, context in try await importsPage(request, context) }
        router.post("app/imports/upload") { request, context in try await uploadImport(request, context) }
        router.get("app/imports/:id") { request, context in try await importPage(request, context) }
        router.get("app/imports/:id/progress") { request, context in try await importProgress(request, context) }
        router.post("app/imports/:id/cancel") { request, context in try await cancelImportJob(request, context) }
    }
}
