import ArgumentParser
import SmartMailsApp
import SmartMailsCore
import SmartMailsStore

/// Workspaces from the shell: an agency runs one per client.
struct WorkspacesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspaces", abstract: "Create and list workspaces.", subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a workspace with its owner (an existing user, or a new one).")
        @OptionGroup var storage: StorageOptions
        @Argument(help: "Short name in lower case, e.g. acme.") var slug: String
        @Option(help: "Display name (default: the slug).") var name: String?
        @Option(help: "E-mail of its owner.") var owner: String

        func run() async throws {
            let created = try await storage.withStore { store in
                guard try await store.workspace(slug: slug) == nil else { throw ValidationError("A workspace '\(slug)' exists already.") }
                do {
                    return try await Bootstrap.createWorkspace(storage: store, slug: slug, name: name ?? slug, ownerEmail: owner)
                } catch let error as SmartMailsCore.ValidationError {
                    throw ValidationError("\(error.param): \(error.message)")
                }
            }
            print("Created \(created.workspace.slug) (\(created.workspace.id)), owned by \(created.owner.email).")
            if created.owner.passwordSetAt == nil, let link = created.ownerPasswordLink {
                print("The owner sets a password with: \(Environment.passwordLink(link))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every workspace.")
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let workspaces = try await storage.withStore { store in try await store.allWorkspaces() }
            print("SLUG\tID\tNAME")
            for workspace in workspaces { print("\(workspace.slug)\t\(workspace.id)\t\(workspace.name)") }
        }
    }
}
