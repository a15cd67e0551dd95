import Foundation
import Logging
import SmartMailsApp
import SmartMailsCore
import SmartMailsStore
import SmartMailsTestSupport
import Synchronization
import Testing

/// CSV imports end to end on both engines: a file as people export it from a spreadsheet is checked while it
/// uploads, then imported by the runner, with bad rows reported by line and the good ones imported.
@Suite struct ImportTests {
    static let actor = ChangeActor(id: "usr_test", ip: "192.0.2.1", channel: "api")

    struct Fixture {
        let store: SQLStore
        let workspaceID: String
        let directory: String
        var service: ImportService { ImportService(store: store, directory: directory, runner: nil) }
        var runner: ImportRunner { ImportRunner(store: store, logger: Logger(label: "test")) }

        /// The files left in the upload folder.
        func files() throws -> [String] {
            guard FileManager.default.fileExists(atPath: directory) else { return [] }
            return try FileManager.default.contentsOfDirectory(atPath: directory)
        }

        func path(of job: ImportJob) -> String { directory + "/" + job.id + ".csv" }

        func start(_ bytes: [UInt8], options: ImportOptions = ImportOptions(), maximumBytes: Int64 = ImportService.defaultMaximumBytes) async throws -> ImportJob {
            try await service.start(
                workspaceID: workspaceID, body: ImportTests.upload(bytes), fileName: "contacts.csv", options: options, by: ImportTests.actor, maximumBytes: maximumBytes
            )
        }

        /// Starts the import and runs it to its end.
        func run(_ text: String, options: ImportOptions = ImportOptions()) async throws -> ImportJob {
            try await run(Array(text.utf8), options: options)
        }

        func run(_ bytes: [UInt8], options: ImportOptions = ImportOptions()) async throws -> ImportJob {
            let job = try await start(bytes, options: options)
            return await runner.process(job, path: path(of: job))
        }

        func contact(_ email: String) async throws -> Contact? {
            let key = try ContactEmail.parse(email).key
            guard let id = try await store.contactIDs(workspaceID: workspaceID, emailKeys: [key])[key] else { return nil }
            return try await store.contact(workspaceID: workspaceID, id: id)
        }

        func count() async throws -> Int {
            try await store.countContacts(workspaceID: workspaceID, filter: ContactFilter(), now: .now)
        }
    }

    static func withFixture(_ database: TestDatabase, _ body: (Fixture) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smartmails-imports-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await database.withStore { store in
            let workspace = try await Bootstrap.createWorkspace(storage: store, slug: "w", name: "W", ownerEmail: "w@example.com").workspace
            try await body(Fixture(store: store, workspaceID: workspace.id, directory: directory))
        }
    }

    /// The bytes as an upload arrives: in small chunks, so fields, line breaks, UTF-8 characters and the byte order
    /// mark are split between them.
    static func upload(_ bytes: [UInt8], chunkSize: Int = 7) -> AsyncStream<ArraySlice<UInt8>> {
        let (stream, continuation) = AsyncStream.makeStream(of: ArraySlice<UInt8>.self)
        for start in stride(from: 0, to: bytes.count, by: chunkSize) {
            continuation.yield(bytes[start..<min(start + chunkSize, bytes.count)])
        }
        continuation.finish()
        return stream
    }

    /// The message of an `unreadableFile` error.
    static func unreadable(_ error: ContactError?) -> String? {
        guard case .unreadableFile(let message)? = error else { return nil }
        return message
    }

    // MARK: - Formats

    @Test(arguments: TestDatabase.all)
    func aUTF8FileWithABOMSemicolonsAndCRLFImports(database: TestDatabase) async throws {
        try await Self.withFixture(database) { fixture in
            let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("E-Mail;First Name;Company Name;Tags\r\nana@example.com;Ana;\"ACME; Inc\";vip\r\nBob@Example.COM;Bob;;\r\n".utf8)
            let started = try await fixture.start(bytes)
            #expect(started.status == .queued)
            #expect(started.rowsTotal == 2)
            #expect(started.bytesTotal == Int64(bytes.count))
            #expect(started.fileName == "contacts.csv")
            #expect(try fixture.files() == [started.id + ".csv"])

            let job = await fixture.runner.process(started, path: fixture.path(of: started))
            #expect(job.status == .completed)
            #expect(job.failure == nil)
            #expect(job.rowsRead == 2)
            #expect(job.tally.created == 2)
            #expect(job.tally.failed == 0)
            #expect(job.errors.isEmpty)
            #expect(job.bytesRead == Int64(bytes.count))
            #expect(job.finishedAt != nil)

            let ana = try #require(try await fixture.contact("ana@example.com"))
            #expect(ana.firstName == "Ana")
            #expect(ana.attributes == ContactAttributes(["company_name": .string("ACME; Inc")]))
            #expect(ana.tags == ["vip"])
            let bob = try #require(try await fixture.contact("bob@example.com"))
            #expect(bob.email.address == "Bob@example.com")
            #expect(bob.firstName == "Bob")
            #expect(bob.attributes.isEmpty)
            #expect(bob.tags.isEmpty)

            // The stored import says the same, and its file is gone.
            let stored = try #require(try await fixture.store.importJob(workspaceID: fixture.workspaceID, id: job.id))
            #expect(stored.status == .completed)
            #expect(stored.tally == job.tally)
            #expect(stored.rowsRead == 2)
            #expect(try fixture.files().isEmpty)
            #expect(try await fixture.store.unfinishedImports().isEmpty)
            let history = try await fixture.store.contactEvents(workspaceID: fixture.workspaceID, contactID: ana.id, limit: 5)
            #expect(history.first?.detail.contains(job.id) == true)

            // A finished import cannot be cancelled.
            let error = await #expect(throws: ContactError.self) { try await fixture.service.cancel(id: job.id, workspaceID: fixture.workspaceID, by: Self.actor) }
            #expect(error == .importFinished(id: job.id, status: "completed"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func aTabSeparatedFileImportsWithTypedAttributes(database: TestDatabase) async throws {
        try await Self.withFixture(database) { fixture in
            let text = "email\tfirst_name\ttags\torders\tvip\tsince\nx@example.com\tX\tvip,beta\t3\tyes\t2024-05-01T10:00:00+02:00\ny@example.com\tY, Jr.\t\t4.5\tno\t2024-05-01\n"
            let job = try await fixture.run(text, options: ImportOptions(attributeTypes: ["orders": .number, "vip": .boolean, "since": .date]))
            #expect(job.status == .completed)
            #expect(job.tally.created == 2)
            let x = try #require(try await fixture.contact("x@example.com"))
            #expect(x.tags == ["beta", "vip"])
            #expect(x.attributes == ContactAttributes(["orders": .integer(3), "vip": .bool(true), "since": .date("2024-05-01T08:00:00Z")]))
            let y = try #require(try await fixture.contact("y@example.com"))
            #expect(y.firstName == "Y, Jr.")
            #expect(y.attributes == ContactAttributes(["orders": .number(4.5), "vip": .bool(false), "since": .date("2024-05-01")]))
        }
    }

    @Test(arguments: TestDatabase.all)
    func badRowsAreReportedByLineWhileTheGoodOnesImport(database: TestDatabase) async throws {
        try await Self.withFixture(database) { fixture in
            let text = [
                "email,first_name,notes,orders",
                #"good@example.com,Good,"plain",3"#,
                "not-an-email,Bad,,1",
                #"multi@example.com,Multi,"Line one"#,
                #"said ""hi""",2"#,
                "ragged@example.com,Only",
                "typed@example.com,Typed,,many",
                "ok2@example.com,,,",
                "GOOD@example.com,Dup,,4",
            ].map { $0 + "\r\n" }.joined()
            let job = try await fixture.run(text, options: ImportOptions(attributeTypes: ["orders": .number]))
            #expect(job.status == .completed)
            #expect(job.rowsTotal == 7)
            #expect(job.rowsRead == 7)
            #expect(job.tally.created == 3)
            #expect(job.tally.failed == 4)
            let errors = job.errors.sorted { $0.line < $1.line }
            #expect(errors.map(\.line) == [3, 6, 7, 9])
            #expect(errors.map(\.field) == ["email", "row", "orders", "email"])
            #expect(errors[0].message.contains("not-an-email"))
            #expect(errors[1].message.contains("2 fields"))
            #expect(errors[2].message.contains("many"))
            #expect(try await fixture.store.importJob(workspaceID: fixture.workspaceID, id: job.id)?.errors.sorted { $0.line < $1.line } == errors)

            #expect(try await fixture.count() == 3)
            #expect(try await fixture.contact("good@example.com")?.firstName == "Good")
            #expect(try await fixture.contact("good@example.com")?.attributes["orders"] == .integer(3))
            let multi = try #require(try await fixture.contact("multi@example.com"))
            #expect(multi.attributes["notes"] == .string("Line one\r\nsaid \"hi\""))
            #expect(multi.attributes["orders"] == .integer(2))
            let ok2 = try #require(try await fixture.contact("ok2@example.com"))
            #expect(ok2.firstName == nil)
            #expect(ok2.attributes.isEmpty)
            #expect(try await fixture.contact("ragged@example.com") == nil)
            #expect(try await fixture.contact("typed@example.com") == nil)
        }
    }

    // MARK: - Refused at upload

    @Test(arguments: TestDatabase.all)
    func aLatin1FileIsRefusedAndNothingIsKept(database: TestDatabase) async throws {
        try await Self.withFixture(database) { fixture in
            let bytes = Array("email,first_name\nana@example.com,Ana\nrene@example.com,Ren".utf8) + [0xE9] + Array("\n".utf8)
            let error = await #expect(throws: ContactError.self) { try await fixture.start(bytes) }
            let message = try #require(Self.unreadable(error))
            #expect(message.contains("UTF-8"))
            #expect(message.contains("line 3"))
            #expect(try fixture.files().isEmpty)
            #expect(try await fixture.store.importJobs(workspaceID: fixture.workspaceID, limit: 10, afterID: nil).isEmpty)
            #expect(try await fixture.count() == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aFileWithoutAnEmailColumnOrAnyRowsIsRefused(database: TestDatabase) async throws {
        try await Self.withFixture(database) { fixture in
            let missing = await #expect(throws: ValidationError.self) { try await fixture.start(Array("name,phone\nAna,123\n".utf8)) }
            #expect(missing?.param == "mapping")
            let empty = await #expect(throws: ContactError.self) { try await fixture.start([]) }
            #expect(Self.unreadable(empty) != nil)
            let quote = await #expect(throws: ContactError.self) { try await fixture.start(Array("email\n\"ana@example.com\n".utf8)) }
            let message = try #require(Self.unreadable(quote))
            #expect(message.contains("line 2"))
            let large = await #expect(throws: ContactError.self) { try await fixture.start(Array("email\nana@example.com\n".utf8), maximumBytes: 10) }
            #expect(large == .fileTooLarge(maximumBytes: 10))
            #expect(try fixture.files().isEmpty)
            #expect(try await fixture.store.importJobs(workspaceID: fixture.workspaceID, limit: 10, afterID: nil).isEmpty)
        }
    }

    // MARK: - Options

    @Test(arguments: TestDatabase.all)
    func aListIDAddsEveryImportedContact(database: TestDatabase) async throws {
        try await Self.withFixture(database) { fixture in
            let lists = ListService(store: fixture.store)
            let list = try await lists.create(name: "Newsletter", description: nil, workspaceID: fixture.workspaceID, by: Self.actor).list
            let existing = try #require(try await fixture.store.upsertContacts(
                workspaceID: fixture.workspaceID, [ContactUpsert(match: .email, changes: { var c = ContactChanges(); c.email = try! ContactEmail.parse("old@example.com"); return c }())],
                policy: .update, listID: nil, source: "test", now: .now
            ).first?.contact)
            _ = try await fixture.store.setMembership(workspaceID: fixture.workspaceID, listID: list.id, contactIDs: [existing.id], state: .unsubscribed, source: "test", at: .now)

            let job = try await fixture.run("email\nnew1@example.com\nnew2@example.com\nold@example.com\nbroken\n", options: ImportOptions(listID: list.id))
            #expect(job.status == .completed)
            #expect(job.tally.created == 2)
            #expect(job.tally.unchanged == 1)
            #expect(job.tally.failed == 1)
            #expect(try await fixture.store.list(workspaceID: fixture.workspaceID, id: list.id)?.counts == ListCounts(subscribed: 2, unsubscribed: 1))
            let members = try await fixture.store.contacts(workspaceID: fixture.workspaceID, filter: ContactFilter(listID: list.id), limit: 10, afterID: nil, now: .now)
            #expect(Set(members.map(\.email.address)) == ["new1@example.com", "new2@example.com", "old@example.com"])

            // A list of another workspace, or none at all, is refused before the upload is kept.
            let unknown = ResourceID.make(prefix: ContactList.idPrefix)
            let error = await #expect(throws: ContactError.self) { try await fixture.start(Array("email\na@example.com\n".utf8), options: ImportOptions(listID: unknown)) }
            #expect(error == .notFound(kind: "list", id: unknown))
            #expect(try fixture.files().isEmpty)
        }
    }

    @Test(arguments: TestDatabase.all)
    func onConflictSkipAndFillEmpty(database: TestDatabase) async throws {
        try await Self.withFixture(database) { fixture in
            var old = ContactChanges()
            old.email = try ContactEmail.parse("ana@example.com")
            old.firstName = "Old"
            old.attributes = ["plan": .string("pro")]
            _ = try await fixture.store.upsertContacts(workspaceID: fixture.workspaceID, [ContactUpsert(match: .email, changes: old)], policy: .update, listID: nil, source: "test", now: .now)
            let file = "email,first_name,last_name,plan,orders\nana@example.com,New,Last,free,3\nbob@example.com,Bob,B,,\n"

            let skipped = try await fixture.run(file, options: ImportOptions(onConflict: .skip))
            #expect(skipped.options.onConflict == .skip)
            #expect(skipped.tally.unchanged == 1)
            #expect(skipped.tally.created == 1)
            let untouched = try #require(try await fixture.contact("ana@example.com"))
            #expect(untouched.firstName == "Old")
            #expect(untouched.lastName == nil)
            #expect(untouched.attributes == ContactAttributes(["plan": .string("pro")]))

            let filled = try await fixture.run(file, options: ImportOptions(onConflict: .fillEmpty))
            #expect(filled.tally.updated == 1)
            #expect(filled.tally.unchanged == 1)
            let ana = try #require(try await fixture.contact("ana@example.com"))
            #expect(ana.firstName == "Old")
            #expect(ana.lastName == "Last")
            #expect(ana.attributes == ContactAttributes(["plan": .string("pro"), "orders": .string("3")]))

            let updated = try await fixture.run(file, options: ImportOptions(onConflict: .update))
            #expect(updated.tally.updated == 1)
            #expect(updated.tally.unchanged == 1)
            #expect(try await fixture.contact("ana@example.com")?.firstName == "New")
            #expect(try await fixture.contact("ana@example.com")?.attributes["plan"] == .string("free"))

            // The same file again changes nothing.
            let again = try await fixture.run(file)
            #expect(again.tally.unchanged == 2)
            #expect(again.tally.updated == 0)
            #expect(try await fixture.count() == 2)
        }
    }

    // MARK: - Cancelling and resuming

    static func rows(_ count: Int, from start: Int = 1) -> String {
        "email,first_name\n" + (start..<(start + count)).map { "c\($0)@example.com,C\($0)\n" }.joined()
    }

    @Test(arguments: TestDatabase.all)
    func cancellingStopsBeforeTheNextChunk(database: TestDatabase) async throws {
        try await Self.withFixture(database) { fixture in
            let chunk = ImportRunner.rowsPerChunk
            let started = try await fixture.start(Array(Self.rows(2 * chunk + 10).utf8))
            #expect(started.rowsTotal == 2 * chunk + 10)
            let gate = CancelGate(fixture.store)
            let runner = ImportRunner(store: gate, logger: Logger(label: "test"))
            let store = fixture.store, workspaceID = fixture.workspaceID
            let job = await runner.process(started, path: fixture.path(of: started)) { progress in
                // The user presses cancel once the first chunk is in.
                guard progress.status == .running, progress.rowsRead >= chunk else { return }
                gate.once {
                    let audit = AuditEvent(workspaceID: workspaceID, occurredAt: .now, actor: "usr_test", action: .importCancelled, targetType: "import", targetID: progress.id, ip: nil)
                    _ = try? await store.cancelImport(workspaceID: workspaceID, id: progress.id, at: .now, audit: audit)
                }
            }
            #expect(gate.fired)
            #expect(job.status == .cancelled)
            let stored = try #require(try await fixture.store.importJob(workspaceID: fixture.workspaceID, id: started.id))
            #expect(stored.status == .cancelled)
            #expect(stored.rowsRead == chunk)
            #expect(stored.tally.created == chunk)
            #expect(stored.finishedAt != nil)
            // What was imported stays; nothing after the cancel is.
            #expect(try await fixture.count() == chunk)
            #expect(try await fixture.contact("c\(chunk)@example.com") != nil)
            #expect(try await fixture.contact("c\(chunk + 1)@example.com") == nil)
            #expect(try fixture.files().isEmpty)
            #expect(try await fixture.store.unfinishedImports().isEmpty)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aResumedImportSkipsTheRowsItHadDone(database: TestDatabase) async throws {
        try await Self.withFixture(database) { fixture in
            let started = try await fixture.start(Array(Self.rows(5).utf8))
            // It had imported two rows before the process stopped.
            var crashed = started
            crashed.status = .running
            crashed.startedAt = .now
            crashed.rowsRead = 2
            crashed.tally.created = 2
            #expect(try await fixture.store.saveProgress(crashed))

            let unfinished = try await fixture.store.unfinishedImports()
            let (job, path) = try #require(unfinished.first)
            #expect(unfinished.count == 1)
            #expect(job.rowsRead == 2)
            #expect(path == fixture.path(of: started))
            let resumed = await fixture.runner.process(job, path: path)
            #expect(resumed.status == .completed)
            #expect(resumed.rowsRead == 5)
            #expect(resumed.tally.created == 5)
            let emails = try await fixture.store.contacts(workspaceID: fixture.workspaceID, filter: ContactFilter(), limit: 10, afterID: nil, now: .now).map(\.email.address)
            #expect(Set(emails) == ["c3@example.com", "c4@example.com", "c5@example.com"])
            #expect(try await fixture.store.unfinishedImports().isEmpty)
        }
    }
}

/// The runner's store, through which a cancel started from `progress` lands before the runner's next call, as a
/// user's click would while the next chunk is read.
final class CancelGate: ImportRunner.Store {
    let base: SQLStore
    private let pending = Mutex<(task: Task<Void, Never>?, fired: Bool)>((nil, false))

    init(_ base: SQLStore) { self.base = base }

    var fired: Bool { pending.withLock { $0.fired } }

    /// Starts `work` the first time only.
    func once(_ work: @escaping @Sendable () async -> Void) {
        pending.withLock { state in
            guard !state.fired else { return }
            state = (Task { await work() }, true)
        }
    }

    private func settle() async {
        let task = pending.withLock { state in
            defer { state.task = nil }
            return state.task
        }
        await task?.value
    }

    func insertImport(_ job: ImportJob, filePath: String, audit: AuditEvent) async throws {
        await settle()
        try await base.insertImport(job, filePath: filePath, audit: audit)
    }

    func importJob(workspaceID: String, id: String) async throws -> ImportJob? {
        await settle()
        return try await base.importJob(workspaceID: workspaceID, id: id)
    }

    func importJobs(workspaceID: String, limit: Int, afterID: String?) async throws -> [ImportJob] {
        await settle()
        return try await base.importJobs(workspaceID: workspaceID, limit: limit, afterID: afterID)
    }

    func unfinishedImports() async throws -> [(job: ImportJob, filePath: String)] {
        await settle()
        return try await base.unfinishedImports()
    }

    func saveProgress(_ job: ImportJob) async throws -> Bool {
        await settle()
        return try await base.saveProgress(job)
    }

    func claimImport(id: String, at: Timestamp) async throws -> Bool {
        await settle()
        return try await base.claimImport(id: id, at: at)
    }

    func cancelImport(workspaceID: String, id: String, at: Timestamp, audit: AuditEvent) async throws -> ImportJob? {
        await settle()
        return try await base.cancelImport(workspaceID: workspaceID, id: id, at: at, audit: audit)
    }

    func contacts(workspaceID: String, ids: [String], emailKeys: [String]) async throws -> [Contact] {
        try await base.contacts(workspaceID: workspaceID, ids: ids, emailKeys: emailKeys)
    }

    func contacts(workspaceID: String, filter: ContactFilter, limit: Int, afterID: String?, now: Timestamp) async throws -> [Contact] {
        await settle()
        return try await base.contacts(workspaceID: workspaceID, filter: filter, limit: limit, afterID: afterID, now: now)
    }

    func countContacts(workspaceID: String, filter: ContactFilter, now: Timestamp) async throws -> Int {
        await settle()
        return try await base.countContacts(workspaceID: workspaceID, filter: filter, now: now)
    }

    func contact(workspaceID: String, id: String) async throws -> Contact? {
        await settle()
        return try await base.contact(workspaceID: workspaceID, id: id)
    }

    func attributeKeys(workspaceID: String, filter: ContactFilter, now: Timestamp) async throws -> [String] {
        await settle()
        return try await base.attributeKeys(workspaceID: workspaceID, filter: filter, now: now)
    }

    func upsertContacts(workspaceID: String, _ items: [ContactUpsert], policy: ConflictPolicy, listID: String?, source: String, now: Timestamp) async throws -> [UpsertOutcome] {
        await settle()
        return try await base.upsertContacts(workspaceID: workspaceID, items, policy: policy, listID: listID, source: source, now: now)
    }

    func eraseContact(workspaceID: String, id: String, at: Timestamp, audit: AuditEvent) async throws -> Contact? {
        await settle()
        return try await base.eraseContact(workspaceID: workspaceID, id: id, at: at, audit: audit)
    }

    func contactEvents(workspaceID: String, contactID: String, limit: Int) async throws -> [ContactEvent] {
        await settle()
        return try await base.contactEvents(workspaceID: workspaceID, contactID: contactID, limit: limit)
    }

    func memberships(workspaceID: String, contactID: String) async throws -> [ListMembership] {
        await settle()
        return try await base.memberships(workspaceID: workspaceID, contactID: contactID)
    }
}
