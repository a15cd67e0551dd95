import ArgumentParser
import Foundation
import SmartMailsCore
import SmartMailsApp
import SmartMailsStore

/// Key administration from the shell, for operators and scripts. On PostgreSQL a running server hears of
/// changes at once; on SQLite its key cache catches up within 15 s.
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
        @Option(help: "Requests per window, REQUESTS/SECONDS (e.g. 600/60).") var rateLimit = "60/60"
        @Option(help: "Comma-separated IPv4/IPv6 addresses or CIDR blocks the key may be used from (default: anywhere).")
        var allowedIPs = ""

        func run() async throws {
            let parts = rateLimit.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let requests = Int(parts[0]), let seconds = Int(parts[1]) else {
                throw ValidationError("--rate-limit takes REQUESTS/SECONDS, e.g. 600/60.")
            }
            let policy: RateLimitPolicy
            do {
                policy = try RateLimitPolicy(requests: requests, perSeconds: seconds).validated()
            } catch {
                throw ValidationError("--rate-limit: \(error.message)")
            }
            let allowlist: IPAllowlist
            do {
                allowlist = try IPAllowlist.parse(allowedIPs.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }, param: "--allowed-ips")
            } catch {
                throw ValidationError("--allowed-ips: \(error.message)")
            }
            let scopeSet: ScopeSet
            do {
                scopeSet = try ScopeSet.parse(scopes.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
            } catch {
                throw ValidationError("Unknown scope in '\(scopes)'. Valid: \(Scope.allCases.map(\.rawValue).joined(separator: ", ")), read, write, admin.")
            }
            let issued = try await storage.withWorkspace(slug: workspace) { store, workspace in
                try await KeyService(store: store).create(
                    workspaceID: workspace.id, name: name, scopes: scopeSet, mode: mode, allowedIPs: allowlist, rateLimit: policy, by: .system
                )
            }
            print(issued.token.rawValue)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a workspace's keys (never their secrets).")
        @OptionGroup var storage: StorageOptions
        @Option(help: "Workspace slug.") var workspace = "default"
        @Flag(help: "Include revoked keys.") var includeRevoked = false

        func run() async throws {
            let keys = try await storage.withWorkspace(slug: workspace) { store, workspace in
                let service = KeyService(store: store)
                var all: [APIKey] = []
                var afterID: String?
                repeat {
                    let page = try await service.list(workspaceID: workspace.id, page: PageRequest(limit: 100, afterID: afterID), includeRevoked: includeRevoked)
                    all += page.items
                    afterID = page.lastID
                } while afterID != nil
                return all
            }
            print("ID\tKEY\tNAME\tSCOPES\tSTATUS")
            let now = Timestamp.now
            for key in keys {
                let status = key.revokedAt != nil ? "revoked" : (key.expiresAt.map { $0 <= now } == true ? "expired" : "active")
                print("\(key.id)\t\(key.redacted)\t\(key.name)\t\(key.scopes.scopes.map(\.rawValue).joined(separator: ","))\t\(status)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by id.")
        @OptionGroup var storage: StorageOptions
        @Option(help: "Workspace slug.") var workspace = "default"
        @Argument(help: "The key id, key_…") var id: String

        func run() async throws {
            let key = try await storage.withWorkspace(slug: workspace) { store, workspace in
                do {
                    return try await KeyService(store: store).revoke(id: id, workspaceID: workspace.id, by: .system)
                } catch KeyServiceError.notFound {
                    throw ValidationError("No key '\(id)' in workspace '\(workspace.slug)'.")
                } catch KeyServiceError.revoked {
                    throw ValidationError("The key '\(id)' is already revoked.")
                }
            }
            print("Revoked \(key.id) (\(key.redacted)).")
        }
    }
}

extension APIKeyMode: ExpressibleByArgument {}
