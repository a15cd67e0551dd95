import Foundation
import SmartMailsCore
import SmartMailsStore

/// Starts CSV imports and reports on them. The upload streams to a file in the data folder and through the CSV
/// reader at once, so a file that is not UTF-8, has a broken quote, or lacks an e-mail column is refused before
/// anything is imported; the rows themselves are imported in the background by `ImportRunner`.
public struct ImportService: Sendable {
    public typealias Store = ImportStore & ListStore & ContactStore
    /// The largest upload taken (about 10 million typical rows).
    public static let defaultMaximumBytes: Int64 = 2 << 30

    let store: any Store
    let directory: String
    let runner: ImportRunner?

    public init(store: any Store, directory: String, runner: ImportRunner?) {
        self.store = store
        self.directory = directory
        self.runner = runner
    }

    public func start<Body: AsyncSequence>(
        workspaceID: String, body: Body, fileName: String?, options: ImportOptions, by actor: ChangeActor,
        maximumBytes: Int64 = ImportService.defaultMaximumBytes, now: Timestamp = .now
    ) async throws -> ImportJob where Body.Element == ArraySlice<UInt8> {
        if let listID = options.listID {
            guard ResourceID.isWellFormed(listID, prefix: ContactList.idPrefix), try await store.list(workspaceID: workspaceID, id: listID) != nil else {
                throw ContactError.notFound(kind: "list", id: listID)
            }
        }
        let id = ResourceID.make(prefix: ImportJob.idPrefix, at: now)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + id + ".csv"
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw ContactError.unreadableFile("The upload could not be stored in \(directory).") }
        do {
            let (bytes, rows) = try await Self.store(body, at: path, maximumBytes: maximumBytes, options: options)
            let job = ImportJob(
                id: id, workspaceID: workspaceID, options: options, fileName: fileName.map { String($0.prefix(255)) }, bytesTotal: bytes,
                rowsTotal: rows, createdBy: actor.id, createdAt: now
            )
            var changes = ["rows": String(rows), "on_conflict": options.onConflict.rawValue]
            if let listID = options.listID { changes["list_id"] = listID }
            try await store.insertImport(job, filePath: path, audit: actor.audit(.importStarted, workspaceID: workspaceID, targetType: "import", targetID: id, changes: changes, at: now))
            runner?.wake()
            return job
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    /// Writes the body to `path` while reading it as CSV: returns its size, its header and how many rows follow.
    private static func store<Body: AsyncSequence>(_ body: Body, at path: String, maximumBytes: Int64, options: ImportOptions) async throws -> (Int64, Int) where Body.Element == ArraySlice<UInt8> {
        guard let handle = FileHandle(forWritingAtPath: path) else { throw ContactError.unreadableFile("The upload could not be stored.") }
        defer { try? handle.close() }
        var reader = CSVReader()
        var header: [String]?
        var rows = 0
        var bytes: Int64 = 0
        var mappingChecked = false
        func take(_ records: [CSVRecord]) {
            for record in records {
                if header == nil { header = record.fields } else { rows += 1 }
            }
        }
        do {
            for try await chunk in body {
                bytes += Int64(chunk.count)
                guard bytes <= maximumBytes else { throw ContactError.fileTooLarge(maximumBytes: maximumBytes) }
                try handle.write(contentsOf: chunk)
                take(try reader.feed(chunk))
                // The mapping is checked as soon as the header has come, not after gigabytes more.
                if !mappingChecked, let header {
                    _ = try ImportColumns(header: header, options: options)
                    mappingChecked = true
                }
            }
            take(try reader.finish())
        } catch let error as CSVError {
            throw ContactError.unreadableFile(error.message)
        }
        // fsync waits on the disk: on a Dispatch thread, not one of the cooperative pool's few.
        try await BlockingWork.run { try handle.synchronize() }
        guard let header else { throw ContactError.unreadableFile("The file is empty: it needs a header row and at least one contact.") }
        if !mappingChecked { _ = try ImportColumns(header: header, options: options) }
        return (bytes, rows)
    }

    public func job(id: String, workspaceID: String) async throws -> ImportJob {
        guard ResourceID.isWellFormed(id, prefix: ImportJob.idPrefix), let job = try await store.importJob(workspaceID: workspaceID, id: id) else {
            throw ContactError.notFound(kind: "import", id: id)
        }
        return job
    }

    public func jobs(workspaceID: String, page: PageRequest) async throws -> Page<ImportJob> {
        Page(rows: try await store.importJobs(workspaceID: workspaceID, limit: page.limit + 1, afterID: page.afterID), limit: page.limit, id: \.id)
    }

    /// Stops an import between two chunks: what it imported so far stays, the rest is not read.
    public func cancel(id: String, workspaceID: String, by actor: ChangeActor, now: Timestamp = .now) async throws -> ImportJob {
        let current = try await job(id: id, workspaceID: workspaceID)
        guard !current.status.isFinished else { throw ContactError.importFinished(id: id, status: current.status.rawValue) }
        let audit = actor.audit(.importCancelled, workspaceID: workspaceID, targetType: "import", targetID: id, at: now)
        guard let job = try await store.cancelImport(workspaceID: workspaceID, id: id, at: now, audit: audit) else {
            throw ContactError.notFound(kind: "import", id: id)
        }
        guard job.status == .cancelled else { throw ContactError.importFinished(id: id, status: job.status.rawValue) }
        // A queued import's file is nobody's to delete but here; a running one's runner deletes it when it stops.
        if current.status == .queued { try? FileManager.default.removeItem(atPath: directory + "/" + id + ".csv") }
        return job
    }
}
