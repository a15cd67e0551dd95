import ArgumentParser
import SmartMailsApp
import SmartMailsCore
import SmartMailsStore

/// Dashboard accounts from the shell. Passwords are never typed here: each command prints a one-time link with
/// which the person sets their own (valid 7 days, once).
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Add dashboard users and reset their passwords.",
        subcommands: [Create.self, ResetPassword.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user to a workspace and print their one-time link to set a password.")
        @OptionGroup var storage: StorageOptions
        @Option(help: "Their e-mail address.") var email: String
        @Option(help: "owner, admin, developer, marketer or viewer.") var role: Role
        @Option(help: "Workspace slug.") var workspace = "default"

        func run() async throws {
            let token = try await storage.withWorkspace(slug: workspace) { store, workspace in
                let service = AccountService(store: store)
                let account: Account
                do {
                    account = try await service.addMember(email: email, role: role, workspaceID: workspace.id, by: "system")
                } catch AccountStoreError.alreadyMember {
                    throw ValidationError("\(email) is a member of '\(workspace.slug)' already.")
                } catch let error as SmartMailsCore.ValidationError {
                    throw ValidationError("--email: \(error.message)")
                }
                return try await service.issuePasswordLink(accountID: account.id, workspaceID: workspace.id)
            }
            print(Environment.passwordLink(token))
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password", abstract: "Print a one-time link with which the user sets a new password."
        )
        @OptionGroup var storage: StorageOptions
        @Option(help: "Their e-mail address.") var email: String

        func run() async throws {
            let token = try await storage.withStore { store in
                let service = AccountService(store: store)
                guard let account = try await store.account(email: EmailAddress.normalised(email) ?? email),
                      let membership = try await store.memberships(accountID: account.id).first
                else { throw ValidationError("No user \(email).") }
                return try await service.issuePasswordLink(accountID: account.id, workspaceID: membership.workspaceID)
            }
            print(Environment.passwordLink(token))
        }
    }
}

extension Role: ExpressibleByArgument {}
