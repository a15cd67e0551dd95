import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SmartMailsTestSupport
import Testing

/// The `smartmails` binary as an operator uses it: first start, the printed key, the `keys` commands against the
/// same database while the server runs, and a clean exit on SIGTERM.
@Suite(.serialized) struct CommandLineTests {
    static var binary: URL {
        get throws {
            let candidates = [
                URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("smartmails"),
                URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug/smartmails").standardized,
            ]
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw CLIError("the smartmails binary was not built; run `swift build --build-tests` first")
            }
            return found
        }
    }

    struct CLIError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Runs a short command to completion, in `directory` with `environment` when given, and returns its stdout.
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil) async throws -> (status: Int32, stdout: String) {
        let outcome = try await ChildProcessRunner.run(try binary, arguments, in: directory, environment: environment, timeout: .seconds(60))
        return (outcome.status, outcome.stdout)
    }

    /// The environment a newcomer's shell would give the binary: none of ours but the port, so that the test does not
    /// depend on 8080 being free (the default itself is checked in `ServerConfigurationTests`).
    static func newcomerEnvironment(port: Int) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SMARTMAILS_") }
        environment["SMARTMAILS_PORT"] = String(port)
        return environment
    }

    static func get(_ url: String, key: String? = nil) async throws -> Int {
        var request = URLRequest(url: URL(string: url)!)
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// The README's way in: `smartmails serve` with no flags in an empty folder, the key read off stdout and used
    /// with the command the banner prints, then the README's `keys` commands in the same folder.
    @Test func firstStartInAnEmptyFolderPrintsAKeyThatWorksWithTheCommandItShows() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smartmails-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Outside the folder, which must hold nothing but what the server makes.
        let logFolder = FileManager.default.temporaryDirectory.appendingPathComponent("smartmails-cli-logs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: logFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: logFolder) }
        let stdoutFile = logFolder.appendingPathComponent("stdout")
        let stderrFile = logFolder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        let port = Int.random(in: 20_000...40_000)
        let environment = Self.newcomerEnvironment(port: port)

        let server = Process()
        server.executableURL = try Self.binary
        server.arguments = ["serve"]
        server.currentDirectoryURL = directory
        server.environment = environment
        server.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        server.standardError = try FileHandle(forWritingTo: stderrFile)
        try server.run()
        defer { if server.isRunning { server.terminate() } }

        var printed = ""
        for _ in 0..<100 where !printed.contains("Try it:") {
            try await Task.sleep(for: .milliseconds(100))
            printed = try String(contentsOf: stdoutFile, encoding: .utf8)
        }
        let words = printed.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\"" }).map(String.init)
        let key = try #require(words.first { $0.hasPrefix("sm_live_") && $0.count == 46 }, "no admin key printed on first start")
        // The banner's "Try it" command names the address the server really listens on.
        let tryIt = try #require(words.first { $0.hasPrefix("http://") && $0.hasSuffix("/v1/me") }, "no Try it URL in \(printed)")
        #expect(tryIt == "http://127.0.0.1:\(port)/v1/me")
        var healthy = false
        for _ in 0..<50 where !healthy {
            healthy = (try? await Self.get("http://127.0.0.1:\(port)/healthz")) == 200
            if !healthy { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(healthy)
        #expect(try await Self.get(tryIt, key: key) == 200)
        // The data is where the README says: ./data of the folder it was started in.
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("data/smartmails.sqlite").path))

        // keys create prints the secret alone, for scripts, and the running server accepts it.
        let created = try await Self.run(["keys", "create", "--name", "ci", "--scopes", "read,messages:send"], in: directory, environment: environment)
        #expect(created.status == 0)
        let secret = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("sm_live_") && secret.count == 46 && !secret.contains("\n"))
        #expect(try await Self.get(tryIt, key: secret) == 200)

        let listed = try await Self.run(["keys", "list"], in: directory, environment: environment)
        #expect(listed.status == 0 && listed.stdout.contains("\tci\t") && !listed.stdout.contains(secret))
        let id = try #require(listed.stdout.split(separator: "\n").first { $0.contains("\tci\t") }?.split(separator: "\t").first.map(String.init))
        let revoked = try await Self.run(["keys", "revoke", id], in: directory, environment: environment)
        #expect(revoked.status == 0)
        #expect(try await Self.run(["keys", "revoke", id], in: directory, environment: environment).status != 0)
        let refused = try await Self.run(["keys", "create", "--name", "x", "--scopes", "read", "--rate-limit", "0/60"], in: directory, environment: environment)
        #expect(refused.status != 0)

        // The banner's dashboard link, and those the users commands print, open the page that sets a password.
        let ownerLink = try #require(words.first { $0.contains("/login/password/") })
        #expect(ownerLink.hasPrefix("http://127.0.0.1:\(port)/login/password/"))
        #expect(try await Self.get(ownerLink) == 200)
        let invited = try await Self.run(["users", "create", "--email", "ana@example.com", "--role", "viewer"], in: directory, environment: environment)
        let anaLink = invited.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(invited.status == 0 && anaLink.hasPrefix("http://127.0.0.1:\(port)/login/password/"))
        #expect(try await Self.get(anaLink) == 200)
        #expect(try await Self.run(["users", "create", "--email", "ana@example.com", "--role", "viewer"], in: directory, environment: environment).status != 0)
        let reset = try await Self.run(["users", "reset-password", "--email", "owner@localhost"], in: directory, environment: environment)
        #expect(reset.status == 0 && reset.stdout.contains("/login/password/"))
        let workspace = try await Self.run(["workspaces", "create", "acme", "--name", "Acme", "--owner", "ana@example.com"], in: directory, environment: environment)
        #expect(workspace.status == 0 && workspace.stdout.contains("owned by ana@example.com"))
        let workspaces = try await Self.run(["workspaces", "list"], in: directory, environment: environment)
        #expect(workspaces.stdout.contains("acme\t") && workspaces.stdout.contains("default\t"))

        kill(server.processIdentifier, SIGTERM)
        for _ in 0..<100 where server.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!server.isRunning)
        #expect(server.terminationStatus == 0)
        let logs = try String(contentsOf: stderrFile, encoding: .utf8)
        #expect(!logs.contains(key) && !logs.contains(secret))

        // A second start on the same data neither creates another workspace nor prints a key.
        let restart = Process()
        restart.executableURL = try Self.binary
        restart.arguments = ["serve"]
        restart.currentDirectoryURL = directory
        restart.environment = environment
        let secondOutput = Pipe()
        restart.standardOutput = secondOutput
        restart.standardError = FileHandle.nullDevice
        try restart.run()
        defer { if restart.isRunning { restart.terminate() } }
        var back = false
        for _ in 0..<50 where !back {
            back = (try? await Self.get("http://127.0.0.1:\(port)/v1/me", key: key)) == 200
            if !back { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(back)
        kill(restart.processIdentifier, SIGTERM)
        for _ in 0..<100 where restart.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!restart.isRunning)
        let printedAgain = String(decoding: secondOutput.fileHandleForReading.availableData, as: UTF8.self)
        #expect(!printedAgain.contains("sm_live_"))
        #expect(restart.terminationStatus == 0)
    }
}
