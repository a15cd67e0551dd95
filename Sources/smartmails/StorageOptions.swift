import ArgumentParser
import Foundation
import Logging
import SmartMailsStore

/// Where the data lives; every command that touches the database takes these, with `SMARTMAILS_*` fallbacks.
struct StorageOptions: ParsableArguments {
    @Option(name: .long, help: "Folder for the SQLite database and local files (env SMARTMAILS_DATA_DIR, default ./data).")
    var dataDir: String?

    @Option(name: .long, help: "postgres://user:pass@host:5432/db to use PostgreSQL instead of SQLite (env SMARTMAILS_DATABASE_URL).")
    var databaseURL: String?

    var resolvedDataDirectory: String {
        dataDir ?? Environment.value("SMARTMAILS_DATA_DIR") ?? "./data"
    }

    var resolvedDatabaseURL: String? {
        databaseURL ?? Environment.value("SMARTMAILS_DATABASE_URL")
    }

    func openStore(logger: Logger) async throws -> SQLStore {
        let directory = resolvedDataDirectory
        if resolvedDatabaseURL == nil {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        return try await SQLStore.open(databaseURL: resolvedDatabaseURL, sqlitePath: directory + "/smartmails.sqlite", logger: logger)
    }
}

enum Environment {
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}
