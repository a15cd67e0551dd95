import Foundation
import Logging
import SQLKit
import SmartMailsStore

/// A database engine a storage test runs on. SQLite always; PostgreSQL when `SMARTMAILS_TEST_POSTGRES_URL` is set
/// (`.ci/run` sets it, so CI runs every storage test on both).
public enum TestDatabase: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public static var all: [TestDatabase] {
        if postgresURL == nil {
            // CI must test both engines; a run that quietly tested SQLite alone would look green and prove half.
            precondition(
                ProcessInfo.processInfo.environment["CI"] != "true",
                "CI=true but SMARTMAILS_TEST_POSTGRES_URL is not set: storage tests must run on PostgreSQL too"
            )
            return [.sqlite]
        }
        return [.sqlite, .postgres]
    }

    /// Whether PostgreSQL is there to test against, for tests that need it (several nodes on one database).
    public static var hasPostgres: Bool { postgresURL != nil }

    static var postgresURL: String? {
        guard let url = ProcessInfo.processInfo.environment["SMARTMAILS_TEST_POSTGRES_URL"], !url.isEmpty else { return nil }
        return url
    }

    public var description: String { rawValue }

    /// Runs `body` with a migrated store in a database of its own (a temporary SQLite file, or a new PostgreSQL
    /// database), removed afterwards, so tests can run in parallel without seeing each other's rows.
    /// `migratedThrough` stops at that schema version, for tests of the migrations after it.
    public func withStore<T: Sendable>(migratedThrough version: Int? = nil, _ body: (SQLStore) async throws -> T) async throws -> T {
        let logger = Logger(label: "test")
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smartmails-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try await SQLStore.open(
                databaseURL: nil, sqlitePath: directory.appendingPathComponent("test.sqlite").path, logger: logger, migratingThrough: version
            )
            do {
                let result = try await body(store)
                try await store.shutdown()
                return result
            } catch {
                try? await store.shutdown()
                throw error
            }
        case .postgres:
            guard let adminURL = Self.postgresURL else { fatalError("postgres test without SMARTMAILS_TEST_POSTGRES_URL") }
            let name = "sm_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let admin = try await PostgresDatabaseClient.connect(url: adminURL, logger: logger)
            try await admin.withAutocommit { try await $0.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
            let store = try await SQLStore.open(
                databaseURL: Self.replacingDatabase(in: adminURL, with: name), sqlitePath: "", logger: logger, migratingThrough: version
            )
            let outcome: Result<T, any Error>
            do {
                outcome = .success(try await body(store))
            } catch {
                outcome = .failure(error)
            }
            try? await store.shutdown()
            try? await admin.withAutocommit { try await $0.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run() }
            try? await admin.shutdown()
            return try outcome.get()
        }
    }

    /// PostgreSQL only: two stores (two connection pools, as two server nodes would have) on one new database.
    public static func withTwoNodes<T: Sendable>(_ body: (SQLStore, SQLStore) async throws -> T) async throws -> T {
        try await TestDatabase.postgres.withStore { first in
            let logger = Logger(label: "test")
            let url = try await first.client.withReader { database in
                try await database.raw("SELECT current_database() AS name").first()?.decode(column: "name", as: String.self)
            }
            let second = try await SQLStore.open(databaseURL: replacingDatabase(in: postgresURL!, with: url!), sqlitePath: "", logger: logger)
            do {
                let result = try await body(first, second)
                try await second.shutdown()
                return result
            } catch {
                try? await second.shutdown()
                throw error
            }
        }
    }

    static func replacingDatabase(in url: String, with name: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + name
        return components.string!
    }
}
