import ArgumentParser
import SmartMailsStore

/// Applies pending schema migrations (serve does this on start too).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or upgrade the database schema.")

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let logger = LoggerSetup.bootstrap()
        // Opening migrates; what was applied is reported by a second, idempotent run.
        let store = try await storage.openStore(logger: logger)
        let applied = try await Migrations.migrate(store.client)
        try await store.shutdown()
        print("Schema is at version \(Migrations.latestVersion)\(applied.isEmpty ? "" : " (applied \(applied))").")
    }
}
