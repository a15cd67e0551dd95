import Logging
import NIOSSL
import PostgresKit
import SQLKit

/// The scale-out engine: a PostgresNIO connection pool shared by every task of the process.
public final class PostgresDatabaseClient: DatabaseClient {
    public let kind = DatabaseKind.postgres
    private let client: PostgresClient
    private let runTask: Task<Void, Never>
    private let logger: Logger

    /// Connects to a `postgres://user:pass@host:port/db?sslmode=…` URL.
    public static func connect(url: String, logger: Logger) async throws -> PostgresDatabaseClient {
        let client = try PostgresDatabaseClient(url: url, logger: logger)
        // Leases made before the pool's run loop has started still succeed, but PostgresNIO warns about each one;
        // giving the run task a moment to start keeps the first start's log free of a misleading warning.
        try await Task.sleep(for: .milliseconds(20))
        return client
    }

    private init(url: String, logger: Logger) throws {
        let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
        let tls: PostgresClient.Configuration.TLS =
            if configuration.tls.isEnforced, let context = configuration.tls.sslContext {
                .require(context.configuration)
            } else if configuration.tls.isAllowed, let context = configuration.tls.sslContext {
                .prefer(context.configuration)
            } else {
                .disable
            }
        guard let host = configuration.host, let port = configuration.port else {
            throw DatabaseConfigurationError.unsupportedURL
        }
        var clientConfiguration = PostgresClient.Configuration(
            host: host, port: port, username: configuration.username, password: configuration.password,
            database: configuration.database, tls: tls
        )
        clientConfiguration.options.maximumConnections = 16
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        // The pool only works while `run()` runs; it ends when the task is cancelled at shutdown.
        self.runTask = Task { await client.run() }
    }

    public func withReader<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: .trace, logger: self.logger))
        }
    }

    public func withAutocommit<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withReader(body)
    }

    public func withTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(connection.sql(queryLogLevel: .trace, logger: self.logger))
            }
        } catch let error as PostgresTransactionError {
            // The caller's own error (a conflict it reports, say) matters more than the wrapper that says it rolled back.
            throw error.closureError ?? error
        }
    }

    public func shutdown() async throws {
        runTask.cancel()
        await runTask.value
    }

    public func listen(channel: String, onNotification: @escaping @Sendable (String) -> Void) async throws -> Void? {
        try await client.withConnection { connection in
            try await connection.listen(on: channel) { notifications in
                for try await notification in notifications {
                    onNotification(notification.payload)
                }
            }
        }
    }
}

/// A database URL that SmartMails cannot use.
public enum DatabaseConfigurationError: Error, CustomStringConvertible {
    case unsupportedURL

    public var description: String {
        "SMARTMAILS_DATABASE_URL must be postgres://user:password@host:port/database"
    }
}
