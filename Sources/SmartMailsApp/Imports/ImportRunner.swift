import Foundation
import Logging
import ServiceLifecycle
import SmartMailsCore
import SmartMailsStore
import Synchronization

/// Runs imports in the background, one at a time, a chunk of rows per transaction. Progress is saved after every
/// chunk; after a restart an import resumes after the rows it had done (they are skipped, not applied twice).
/// Cancelling is seen at the next chunk. Only imports whose file is in this node's data folder are run here.
public final class ImportRunner: Service, Sendable {
    public typealias Store = ImportStore & ContactStore
    /// Rows per transaction: large enough that a commit's cost is shared, small enough that progress moves often.
    public static let rowsPerChunk = 2000

    let store: any Store
    let logger: Logger
    private let wakeups: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init(store: any Store, logger: Logger) {
        self.store = store
        self.logger = logger
        (wakeups, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Says a new import is waiting.
    public func wake() { continuation.yield() }

    public func run() async throws {
        // At start, imports left running by this node's last run are resumed; after that, only queued ones are
        // taken (claimed), so an import the CLI is running is not run twice.
        await cancelWhenGracefulShutdown {
            await self.runWaitingImports(resumingRunning: true)
            for await _ in self.wakeups {
                await self.runWaitingImports(resumingRunning: false)
            }
        }
    }

    func runWaitingImports(resumingRunning: Bool) async {
        do {
            for (job, path) in try await store.unfinishedImports()
            where FileManager.default.fileExists(atPath: path) && (resumingRunning || job.status == .queued) {
                guard !Task.isCancelled else { return }
                _ = await process(job, path: path)
            }
        } catch {
            logger.warning("could not list imports", metadata: ["error": "\(error)"])
        }
    }

    /// Imports the file and returns the job as it ended; `progress` hears of every saved chunk (the CLI's bar).
    public func process(_ job: ImportJob, path: String, progress: (@Sendable (ImportJob) -> Void)? = nil) async -> ImportJob {
        var job = job
        do {
            job = try await importRows(job, path: path, progress: progress)
        } catch is CancellationError {
            return job
        } catch {
            job.status = .failed
            job.failure = "\(error)"
            job.finishedAt = .now
            _ = try? await store.saveProgress(job)
            logger.error("import failed", metadata: ["import": "\(job.id)", "error": "\(error)"])
        }
        if job.status.isFinished { try? FileManager.default.removeItem(atPath: path) }
        progress?(job)
        return job
    }

    private func importRows(_ start: ImportJob, path: String, progress: (@Sendable (ImportJob) -> Void)?) async throws -> ImportJob {
        var job = start
        if job.status == .queued {
            guard try await store.claimImport(id: job.id, at: .now) else { return try await current(job) }
        }
        job.status = .running
        job.startedAt = job.startedAt ?? .now
        guard try await store.saveProgress(job) else { return try await current(job) }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ImportFileMissing(path: path) }
        defer { try? handle.close() }
        let alreadyDone = job.rowsRead
        var reader = CSVReader()
        var columns: ImportColumns?
        var rowIndex = 0
        var rowsParsed = job.rowsRead
        var bytes: Int64 = 0
        // The chunk being cut from the file: its items, and the rows that could not even be read as a contact.
        var pending: [(line: Int, item: ContactUpsert)] = []
        var unreadable: [ImportRowError] = []
        var unreadableCount = 0
        // The chunk being written while the next one is read (the two use both cores), and where it ends in the file.
        var writing: (task: Task<[UpsertOutcome], any Error>, lines: [Int], unreadable: [ImportRowError], unreadableCount: Int, rows: Int, bytes: Int64)?

        /// Waits for the chunk being written and saves the progress it makes; false when the import was cancelled.
        func settle() async throws -> Bool {
            guard let chunk = writing else { return true }
            writing = nil
            let outcomes = try await chunk.task.value
            for (index, outcome) in outcomes.enumerated() {
                job.tally.count(outcome)
                if case .failed(_, let param, let message) = outcome { note(&job, line: chunk.lines[index], field: param, message: message) }
            }
            job.tally.failed += chunk.unreadableCount
            for error in chunk.unreadable { note(&job, line: error.line, field: error.field, message: error.message) }
            job.rowsRead = chunk.rows
            job.bytesRead = chunk.bytes
            guard try await store.saveProgress(job) else { return false }
            progress?(job)
            return true
        }

        /// Settles the chunk before, then starts writing the pending one; false when the import was cancelled.
        func flush() async throws -> Bool {
            guard try await settle() else { return false }
            // A cancel that came while this chunk was read stops the import before the chunk is written.
            guard try await store.importJob(workspaceID: job.workspaceID, id: job.id)?.status.isFinished == false else { return false }
            let items = pending.map(\.item)
            let (store, workspaceID, options, source) = (self.store, job.workspaceID, job.options, "import \(job.id)")
            writing = (
                Task { try await store.upsertContacts(workspaceID: workspaceID, items, policy: options.onConflict, listID: options.listID, source: source, now: .now) },
                pending.map(\.line), unreadable, unreadableCount, rowsParsed, bytes
            )
            pending.removeAll(keepingCapacity: true)
            unreadable.removeAll()
            unreadableCount = 0
            return true
        }

        // Whatever ends the import (a shutdown, a failure), the chunk being written finishes before it returns.
        do {
            while true {
                try Task.checkCancellation()
                let chunk = try handle.read(upToCount: 256 * 1024) ?? Data()
                bytes += Int64(chunk.count)
                let records = chunk.isEmpty ? try reader.finish() : try reader.feed(chunk)
                for record in records {
                    guard let mapping = columns else {
                        columns = try ImportColumns(header: record.fields, options: job.options)
                        continue
                    }
                    rowIndex += 1
                    guard rowIndex > alreadyDone else { continue }
                    rowsParsed += 1
                    do {
                        pending.append((record.line, ContactUpsert(match: .email, changes: try mapping.changes(for: record.fields))))
                    } catch {
                        unreadableCount += 1
                        // Only the first errors are kept anyway; a file of nothing but bad rows must not fill memory.
                        if unreadable.count < ImportJob.maximumErrors { unreadable.append(ImportRowError(line: record.line, field: error.param, message: error.message)) }
                    }
                    if pending.count + unreadableCount >= Self.rowsPerChunk, try await !flush() { return try await stop(writing?.task, job) }
                }
                if chunk.isEmpty { break }
            }
        } catch {
            if let chunk = writing?.task { _ = try? await chunk.value }
            throw error
        }
        if !pending.isEmpty || unreadableCount > 0, try await !flush() { return try await stop(writing?.task, job) }
        guard try await settle() else { return try await current(job) }
        job.status = .completed
        job.finishedAt = .now
        job.bytesRead = bytes
        guard try await store.saveProgress(job) else { return try await current(job) }
        logger.info("import completed", metadata: [
            "import": "\(job.id)", "rows": "\(job.rowsRead)", "created": "\(job.tally.created)", "updated": "\(job.tally.updated)",
            "unchanged": "\(job.tally.unchanged)", "failed": "\(job.tally.failed)",
        ])
        return job
    }

    /// Lets a chunk still being written finish (its rows are in, whatever the import's state), then reads the job.
    private func stop(_ writing: Task<[UpsertOutcome], any Error>?, _ job: ImportJob) async throws -> ImportJob {
        _ = try? await writing?.value
        return try await current(job)
    }

    /// The job as stored (cancelled meanwhile).
    private func current(_ job: ImportJob) async throws -> ImportJob {
        try await store.importJob(workspaceID: job.workspaceID, id: job.id) ?? job
    }

    private func note(_ job: inout ImportJob, line: Int, field: String?, message: String) {
        guard job.errors.count < ImportJob.maximumErrors else { return }
        job.errors.append(ImportRowError(line: line, field: field, message: message))
    }
}

struct ImportFileMissing: Error, CustomStringConvertible {
    let path: String
    var description: String { "the uploaded file \(path) is gone" }
}
