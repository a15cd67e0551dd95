import ArgumentParser
import Foundation
import SmartMailsStore
import Hummingbird
import Logging
import SmartMailsCore
import SmartMailsApp
import SmartMailsServer

/// Runs the API and background services until SIGTERM or SIGINT, then drains in-flight requests and exits 0.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the SmartMails server.")

    @OptionGroup var storage: StorageOptions

    @Option(help: "Address to listen on (env SMARTMAILS_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env SMARTMAILS_PORT, default 8080).")
    var port: Int?

    @Option(help: "Comma-separated CIDR blocks of proxies whose X-Forwarded-For is trusted (env SMARTMAILS_TRUSTED_PROXIES).")
    var trustedProxies: String?

    func run() async throws {
        let logger = LoggerSetup.bootstrap()
        var configuration = ServerConfiguration()
        configuration.host = host ?? Environment.value("SMARTMAILS_HOST") ?? configuration.host
        if let port = try port ?? Environment.value("SMARTMAILS_PORT").map(Self.parsePort) { configuration.port = port }
        configuration.dataDirectory = storage.resolvedDataDirectory
        configuration.databaseURL = storage.resolvedDatabaseURL
        if let proxies = trustedProxies ?? Environment.value("SMARTMAILS_TRUSTED_PROXIES") {
            let entries = proxies.split(separator: ",").map { String($0) }
            do {
                configuration.trustedProxies = try IPAllowlist.parse(entries, param: "SMARTMAILS_TRUSTED_PROXIES")
            } catch {
                throw ValidationError("\(error.param): \(error.message)")
            }
        }
        if let email = Environment.value("SMARTMAILS_OWNER_EMAIL") { configuration.ownerEmail = email }
        configuration.publicURL = Environment.value("SMARTMAILS_PUBLIC_URL")
        configuration.secretKey = Environment.value("SMARTMAILS_SECRET_KEY")
        configuration.spfInclude = Environment.value("SMARTMAILS_SPF_INCLUDE")
        configuration.dnsServer = Environment.value("SMARTMAILS_DNS_SERVER")
        configuration.mailHost = Environment.value("SMARTMAILS_MAIL_HOST")
        configuration.smtpURL = Environment.value("SMARTMAILS_SMTP_URL")
        if let text = Environment.value("SMARTMAILS_DELIVERY_CONCURRENCY") {
            guard let value = Int(text), (1...1000).contains(value) else { throw ValidationError("SMARTMAILS_DELIVERY_CONCURRENCY must be 1 to 1000") }
            configuration.delivery.concurrency = value
        }
        if let text = Environment.value("SMARTMAILS_SEND_RATE") {
            guard let value = Double(text), value >= 0.01, value <= 100_000 else { throw ValidationError("SMARTMAILS_SEND_RATE must be messages a second, 0.01 to 100000") }
            configuration.delivery.rate = value
        }
        if let text = Environment.value("SMARTMAILS_DKIM_SIGNATURES") {
            let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let algorithms = names.compactMap(DKIMKey.Algorithm.init(rawValue:))
            guard !names.isEmpty, algorithms.count == names.count else { throw ValidationError("SMARTMAILS_DKIM_SIGNATURES must be ed25519, rsa, or both: ed25519,rsa") }
            configuration.delivery.signatures = Set(algorithms)
        }
        if let text = Environment.value("SMARTMAILS_QUEUE_MAX_AGE") {
            guard let hours = Double(text), hours > 0, hours <= 24 * 30 else { throw ValidationError("SMARTMAILS_QUEUE_MAX_AGE must be a number of hours, more than 0 and at most 720") }
            configuration.delivery.retry.maximumAge = Int64(hours * 3_600_000)
        }
        if let text = Environment.value("SMARTMAILS_QUEUE_LEASE") {
            guard let seconds = Int64(text), (5...3600).contains(seconds) else { throw ValidationError("SMARTMAILS_QUEUE_LEASE must be 5 to 3600 seconds") }
            configuration.delivery.lease = .seconds(seconds)
        }
        if let text = Environment.value("SMARTMAILS_PASSWORD_COST") {
            guard let cost = UInt8(text), (4...16).contains(cost) else { throw ValidationError("SMARTMAILS_PASSWORD_COST must be 4 to 16") }
            configuration.passwordCost = cost
        }
        if let text = Environment.value("SMARTMAILS_HTTP_IDLE_TIMEOUT") {
            guard let seconds = Double(text), seconds > 0, seconds <= 3600 else {
                throw ValidationError("SMARTMAILS_HTTP_IDLE_TIMEOUT must be a number of seconds, more than 0 and at most 3600")
            }
            configuration.idleTimeout = .milliseconds(Int64(seconds * 1000))
        }
        switch Environment.value("SMARTMAILS_RATE_LIMITS") {
        case nil: break
        case "shared": configuration.sharedRateLimits = true
        case "local": configuration.sharedRateLimits = false
        case let other?: throw ValidationError("SMARTMAILS_RATE_LIMITS must be 'shared' or 'local', not '\(other)'")
        }

        let store = try await storage.openStore(logger: logger)
        if let created = try await Bootstrap.ensureDefaultWorkspace(storage: store, ownerEmail: configuration.ownerEmail) {
            // Written unbuffered: when stdout is a pipe or file the key must be there before the server blocks.
            FileHandle.standardOutput.write(Data(Self.banner(secret: created.adminKey.token.rawValue, passwordLink: created.ownerPasswordLink, configuration: configuration).utf8))
        }
        do {
            let secrets = try ServerSecret.load(configured: configuration.secretKey, dataDirectory: configuration.dataDirectory, logger: logger)
            try await ServerSecret.check(secrets, against: store)
            let app = try buildApplication(configuration: configuration, store: store, secrets: secrets, logger: logger)
            logger.info("SmartMails listening", metadata: [
                "address": "http://\(configuration.host):\(configuration.port)",
                "database": .string(configuration.databaseURL == nil ? configuration.sqlitePath : "postgresql"),
            ])
            try await app.runService()
        } catch {
            try? await store.shutdown()
            throw error
        }
        try await store.shutdown()
    }

    private static func parsePort(_ text: String) throws -> Int {
        guard let port = Int(text), (0...65535).contains(port) else { throw ValidationError("SMARTMAILS_PORT must be 0-65535") }
        return port
    }

    private static func banner(secret: String, passwordLink: SecretToken, configuration: ServerConfiguration) -> String {
        let base = configuration.resolvedPublicURL
        return """

        ================================================================================
          SmartMails created the workspace "default" with its first admin API key.
          It is shown only this once. Store it now (e.g. in a password manager):

            \(secret)

          Try it:  curl -H "Authorization: Bearer \(secret)" \(base)/v1/me

          The dashboard: set the owner's password (\(configuration.ownerEmail)) with this
          one-time link, valid for 7 days, then sign in at \(base)/login
            \(base)/login/password/\(passwordLink.rawValue)
        ================================================================================

        """
    }
}
