import ArgumentParser
import Foundation
import SmartMailsCore
import SmartMailsServer
import SmartMailsStore

/// Key administration from the shell, for operators and scripts. Changes reach a running server's cache within
/// its key cache time (15 s).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list and revoke API keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print only its secret on stdout.")
        @OptionGroup var storage: StorageOptions
        @Option(help: "Workspace slug.") var workspace = "default"
        @Option(help: "A name to recognise the key by.") var name: String
        @Option(help: "Comma-separated scopes or presets (read, write, admin).") var scopes: String
        @Option(help: "live or test.") var mode: APIKeyMode = .live

        func run() async throws {
            let logger = LoggerSetup.bootstrap()
            let store = try await storage.openStore(logger: logger)
            guard let workspace = try await store.workspace(slug: workspace) else {
                try await store.shutdown()
                throw ValidationError("No workspace '\(self.workspace)'.")
            }
            let scopeSet: ScopeSet
            do {
                scopeSet = try ScopeSet.parse(scopes.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
            } catch {
                throw ValidationError("Unknown scope in '\(scopes)'. Valid: \(Scope.allCases.map(\.rawValue).joined(separator: ", ")), read, write, admin.")
            }
            let issued = try await KeyService(store: store).create(
                workspaceID: workspace.id, name: name, scopes: scopeSet, mode: mode, by: .system
            )
            try await store.shutdown()
            print(issued.token.rawValue)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a workspace's keys (never their secrets).")
        @OptionGroup var storage: StorageOptions
        @Option(help: "Workspace slug.") var workspace = "default"
        @Flag(help: "Include revoked keys.") var includeRevoked = false

        func run() async throws {
            let logger = LoggerSetup.bootstrap()
            let store = try await storage.openStore(logger: logger)
            guard let workspace = try await store.workspace(slug: workspace) else {
                try await store.shutdown()
                throw ValidationError("No workspace '\(self.workspace)'.")
            }
            var afterID: String?
            print("ID\tKEY\tNAME\tSCOPES\tSTATUS")
            repeat {
                let page = try await store.keys(workspaceID: workspace.id, limit: 100, afterID: afterID, includeRevoked: includeRevoked)
                for key in page {
                    let status = key.revokedAt != nil ? "revoked" : (key.expiresAt.map { $0 <= .now } == true ? "expired" : "active")
                    print("\(key.id)\t\(key.redacted)\t\(key.name)\t\(key.scopes.scopes.map(\.rawValue).joined(separator: ","))\t\(status)")
                }
                afterID = page.count == 100 ? page.last?.id : nil
            } while afterID != nil
            try await store.shutdown()
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by id.")
        @OptionGroup var storage: StorageOptions
        @Option(help: "Workspace slug.") var workspace = "default"
        @Argument(help: "The key id, key_…") var id: String

        func run() async throws {
            let logger = LoggerSetup.bootstrap()
            let store = try await storage.openStore(logger: logger)
            guard let workspace = try await store.workspace(slug: workspace) else {
                try await store.shutdown()
                throw ValidationError("No workspace '\(self.workspace)'.")
            }
            do {
                let key = try await KeyService(store: store).revoke(id: id, workspaceID: workspace.id, by: .system)
                print("Revoked \(key.id) (\(key.redacted)).")
            } catch KeyServiceError.notFound {
                try await store.shutdown()
                throw ValidationError("No live key '\(id)' in workspace '\(self.workspace)'.")
            }
            try await store.shutdown()
        }
    }
}

extension APIKeyMode: ExpressibleByArgument {}
