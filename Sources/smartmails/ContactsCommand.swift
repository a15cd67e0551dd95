import ArgumentParser
import Foundation
import Logging
import SmartMailsApp
import SmartMailsCore
import SmartMailsServer
import SmartMailsStore

/// Contacts from the shell: import a CSV file with a live progress bar, or export contacts as CSV or NDJSON.
struct ContactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contacts", abstract: "Import contacts from CSV, or export them.", subcommands: [Import.self, Export.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import a CSV file (UTF-8; `,`, `;` or tab) into a workspace.")
        @OptionGroup var storage: StorageOptions
        @Argument(help: "The CSV file.") var file: String
        @Option(help: "Workspace slug.") var workspace = "default"
        @Option(help: "Add every contact to this list: its id (lst_…) or its name (made if there is none).") var list: String?
        @Option(help: "update, skip or fill_empty: what to do with contacts that exist.") var onConflict: ConflictPolicy = .update
        @Option(name: .customLong("map"), help: "A column's field, as 'Header=field' (email, first_name, …, attributes.<name>, ignore); repeatable.") var mappings: [String] = []
        @Option(name: .customLong("type"), help: "An attribute's type, as 'name=number' (string, number, boolean, date); repeatable.") var types: [String] = []

        func run() async throws {
            let options = try importOptions()
            let path = file
            guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("No file \(path).") }
            let directory = storage.resolvedDataDirectory + "/imports"
            let finished = try await storage.withWorkspace(slug: workspace) { store, workspace in
                var options = options
                if let list { options.listID = try await Self.listID(list, workspaceID: workspace.id, store: store) }
                let service = ImportService(store: store, directory: directory, runner: nil)
                let job: ImportJob
                do {
                    job = try await service.start(workspaceID: workspace.id, body: FileChunks(path: path), fileName: (path as NSString).lastPathComponent, options: options, by: .system)
                } catch let error as ContactError {
                    throw ValidationError(Self.describe(error))
                } catch let error as SmartMailsCore.ValidationError {
                    throw ValidationError("\(error.param): \(error.message)")
                }
                let bar = ProgressBar(total: job.rowsTotal)
                let runner = ImportRunner(store: store, logger: Logger(label: "import"))
                let done = await runner.process(job, path: directory + "/" + job.id + ".csv") { bar.show($0) }
                bar.finish()
                return done
            }
            print("\(finished.id) \(finished.status.rawValue): \(finished.rowsRead) rows, \(finished.tally.created) created, \(finished.tally.updated) updated, \(finished.tally.unchanged) unchanged, \(finished.tally.failed) failed")
            for error in finished.errors.prefix(20) { print("  line \(error.line): \(error.field.map { "\($0): " } ?? "")\(error.message)") }
            if let failure = finished.failure { throw ValidationError(failure) }
        }

        private func importOptions() throws -> ImportOptions {
            var options = ImportOptions(onConflict: onConflict)
            for mapping in mappings {
                guard let equals = mapping.lastIndex(of: "="), let target = ImportTarget(name: String(mapping[mapping.index(after: equals)...])) else {
                    throw ValidationError("--map takes 'Header=field', where field is email, first_name, last_name, external_id, tags, time_zone, locale, status, attributes.<name> or ignore: '\(mapping)'.")
                }
                options.mapping[String(mapping[..<equals])] = target
            }
            for type in types {
                let parts = type.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let kind = AttributeValue.Kind(rawValue: parts[1]) else {
                    throw ValidationError("--type takes 'name=type' with string, number, boolean or date: '\(type)'.")
                }
                options.attributeTypes[parts[0]] = kind
            }
            return options
        }

        private static func listID(_ given: String, workspaceID: String, store: SQLStore) async throws -> String {
            let lists = ListService(store: store)
            if ResourceID.isWellFormed(given, prefix: ContactList.idPrefix) { return try await lists.list(id: given, workspaceID: workspaceID).list.id }
            var after: String?
            while true {
                let page = try await lists.lists(workspaceID: workspaceID, page: PageRequest(limit: 100, afterID: after))
                if let found = page.items.first(where: { $0.list.name == given }) { return found.list.id }
                guard page.hasMore else { break }
                after = page.lastID
            }
            return try await lists.create(name: given, description: nil, workspaceID: workspaceID, by: .system).list.id
        }

        static func describe(_ error: ContactError) -> String {
            switch error {
            case .unreadableFile(let message): message
            case .notFound(let kind, let id): "No \(kind) \(id)."
            case .fileTooLarge(let maximum): "The file is larger than \(maximum) bytes."
            default: "\(error)"
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a workspace's contacts to stdout (or --output) as CSV or NDJSON.")
        @OptionGroup var storage: StorageOptions
        @Option(help: "Workspace slug.") var workspace = "default"
        @Option(help: "csv or ndjson.") var format = "csv"
        @Option(help: "Only members of this list (lst_…).") var list: String?
        @Option(help: "Only contacts of this segment (seg_…).") var segment: String?
        @Option(help: "Write to this file instead of stdout.") var output: String?

        func run() async throws {
            guard let exportFormat = ContactExportFormat(name: format) else { throw ValidationError("--format is csv or ndjson.") }
            let target: FileHandle
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: nil), let handle = FileHandle(forWritingAtPath: output) else {
                    throw ValidationError("Cannot write \(output).")
                }
                target = handle
            } else {
                target = FileHandle.standardOutput
            }
            try await storage.withWorkspace(slug: workspace) { store, workspace in
                let query = ContactQuery(listID: list, segmentID: segment)
                do {
                    for try await chunk in try await ContactExportFormat.lines(exportFormat, contacts: ContactService(store: store), workspaceID: workspace.id, query: query) {
                        try target.write(contentsOf: Data(chunk.utf8))
                    }
                } catch let error as ContactError {
                    throw ValidationError(Import.describe(error))
                }
            }
            if output != nil { try target.close() }
        }
    }
}

extension ConflictPolicy: ExpressibleByArgument {}

/// A file read in 256 KiB chunks, as an import's upload.
struct FileChunks: AsyncSequence, Sendable {
    let path: String

    struct Iterator: AsyncIteratorProtocol {
        let handle: FileHandle?

        mutating func next() async throws -> ArraySlice<UInt8>? {
            guard let handle, let data = try handle.read(upToCount: 256 * 1024), !data.isEmpty else { return nil }
            return ArraySlice(data)
        }
    }

    func makeAsyncIterator() -> Iterator { Iterator(handle: FileHandle(forReadingAtPath: path)) }
}

/// The import's progress on stderr, redrawn in place: rows done of the file's, rows per second and time left.
final class ProgressBar: Sendable {
    private let total: Int
    private let started = Date()

    init(total: Int) { self.total = total }

    func show(_ job: ImportJob) {
        let done = job.rowsRead
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let line = "\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            + "\(done)/\(total) rows  \(Int(rate)) rows/s  ETA \(Self.duration(remaining))  "
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() { FileHandle.standardError.write(Data("\n".utf8)) }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 60 ? "\(whole / 60)m\(String(format: "%02d", whole % 60))s" : "\(whole)s"
    }
}
