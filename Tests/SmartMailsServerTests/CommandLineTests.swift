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

    /// Runs a short command to completion and returns its stdout.
    static func run(_ arguments: [String]) async throws -> (status: Int32, stdout: String) {
        let outcome = try await ChildProcessRunner.run(try binary, arguments, timeout: .seconds(60))
        return (outcome.status, outcome.stdout)
    }

    static func get(_ url: String, key: String? = nil) async throws -> Int {
        var request = URLRequest(url: URL(string: url)!)
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    @Test func firstStartPrintsTheKeyOnceServesItAndStopsCleanlyOnSIGTERM() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smartmails-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let stdoutFile = directory.appendingPathComponent("stdout")
        let stderrFile = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        let port = Int.random(in: 20_000...40_000)
        let dataDirectory = directory.appendingPathComponent("data").path

        let server = Process()
        server.executableURL = try Self.binary
        server.arguments = ["serve", "--data-dir", dataDirectory, "--port", String(port)]
        server.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        server.standardError = try FileHandle(forWritingTo: stderrFile)
        try server.run()
        defer { if server.isRunning { server.terminate() } }

        var adminKey: String?
        for _ in 0..<100 where adminKey == nil {
            try await Task.sleep(for: .milliseconds(100))
            let printed = try String(contentsOf: stdoutFile, encoding: .utf8)
            adminKey = printed.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\"" }).first { $0.hasPrefix("sm_live_") && $0.count == 46 }.map(String.init)
        }
        let key = try #require(adminKey, "no admin key printed on first start")
        var healthy = false
        for _ in 0..<50 where !healthy {
            healthy = (try? await Self.get("http://127.0.0.1:\(port)/healthz")) == 200
            if !healthy { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(healthy)
        #expect(try await Self.get("http://127.0.0.1:\(port)/v1/me", key: key) == 200)

        // keys create prints the secret alone, for scripts, and the running server accepts it.
        let created = try await Self.run(["keys", "create", "--data-dir", dataDirectory, "--name", "ci", "--scopes", "read,messages:send"])
        #expect(created.status == 0)
        let secret = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("sm_live_") && secret.count == 46 && !secret.contains("\n"))
        #expect(try await Self.get("http://127.0.0.1:\(port)/v1/me", key: secret) == 200)

        let listed = try await Self.run(["keys", "list", "--data-dir", dataDirectory])
        #expect(listed.status == 0 && listed.stdout.contains("\tci\t") && !listed.stdout.contains(secret))
        let id = try #require(listed.stdout.split(separator: "\n").first { $0.contains("\tci\t") }?.split(separator: "\t").first.map(String.init))
        let revoked = try await Self.run(["keys", "revoke", "--data-dir", dataDirectory, id])
        #expect(revoked.status == 0)
        #expect(try await Self.run(["keys", "revoke", "--data-dir", dataDirectory, id]).status != 0)

        kill(server.processIdentifier, SIGTERM)
        for _ in 0..<100 where server.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!server.isRunning)
        #expect(server.terminationStatus == 0)
        let logs = try String(contentsOf: stderrFile, encoding: .utf8)
        #expect(!logs.contains(key) && !logs.contains(secret))

        // A second start on the same data neither creates another workspace nor prints a key.
        let restart = Process()
        restart.executableURL = try Self.binary
        restart.arguments = ["serve", "--data-dir", dataDirectory, "--port", String(port)]
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
        let printed = String(decoding: secondOutput.fileHandleForReading.availableData, as: UTF8.self)
        #expect(!printed.contains("sm_live_"))
        #expect(restart.terminationStatus == 0)
    }
}
