import ArgumentParser

/// `smartmails`: the one binary. `serve` runs everything; the other commands administer the same database.
@main
struct SmartMailsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smartmails",
        abstract: "Self-hosted email for developers and marketers.",
        subcommands: [ServeCommand.self, MigrateCommand.self, KeysCommand.self, UsersCommand.self, WorkspacesCommand.self, ContactsCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
