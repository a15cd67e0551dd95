import ArgumentParser
import Foundation
import Logging
import SmartMailsCore
import SmartMailsServer
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

extension StorageOptions {
    /// Opens the store, finds the workspace by slug, runs `body`, and closes the store whatever happens.
    func withWorkspace<T: Sendable>(slug: String, _ body: (SQLStore, Workspace) async throws -> T) async throws -> T {
        try await withStore { store in
            guard let workspace = try await store.workspace(slug: slug) else {
                throw ValidationError("No workspace '\(slug)'.")
            }
            return try await body(store, workspace)
        }
    }
}

extension StorageOptions {
    /// Opens the store, runs `body`, and closes the store whatever happens.
    func withStore<T: Sendable>(_ body: (SQLStore) async throws -> T) async throws -> T {
        let store = try await openStore(logger: LoggerSetup.bootstrap())
        do {
            let result = try await body(store)
            try await store.shutdown()
            return result
        } catch {
            try? await store.shutdown()
            throw error
        }
    }
}

enum Environment {
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// Where browsers reach the server, for the links the CLI prints, worked out as `serve` works it out:
    /// `SMARTMAILS_PUBLIC_URL`, or the server's address from `SMARTMAILS_HOST` and `SMARTMAILS_PORT`.
    static var publicURL: String {
        var configuration = ServerConfiguration()
        if let host = value("SMARTMAILS_HOST") { configuration.host = host }
        if let port = value("SMARTMAILS_PORT").flatMap(Int.init) { configuration.port = port }
        configuration.publicURL = value("SMARTMAILS_PUBLIC_URL")
        return configuration.resolvedPublicURL
    }

    static func passwordLink(_ token: SecretToken) -> String {
        publicURL + "/login/password/" + token.rawValue
    }
}
