import Foundation
import NIOCore
import SMTPKit
import Synchronization
import Testing

/// Tools and fixtures the integration tests need; a missing tool fails the test with what to install.
enum SMTPTestSupport {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/SMTP")
    /// Debian's python, which python3-aiosmtpd installs into; `SMTPKIT_TEST_PYTHON` overrides it.
    static let python = ProcessInfo.processInfo.environment["SMTPKIT_TEST_PYTHON"] ?? "/usr/bin/python3"

    struct MissingTool: Error, CustomStringConvertible {
        var description: String
    }

    static func require(_ condition: Bool, _ message: String) throws {
        if !condition {
            Issue.record(Comment(rawValue: message))
            throw MissingTool(description: message)
        }
    }

    /// Asks Python once per run (a start of Python is not free), on a Dispatch thread.
    static func requireAiosmtpd() async throws {
        let available = try await offPool {
            aiosmtpdAvailable.withLock { known in
                if let known { return known }
                let status = (try? run(python, ["-c", "import aiosmtpd"])) ?? -1
                known = status == 0
                return status == 0
            }
        }
        try require(available, "\(python) cannot import aiosmtpd: install it with `apt-get install -y python3-aiosmtpd`")
    }

    private static let aiosmtpdAvailable = Mutex<Bool?>(nil)

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("smtpkit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A self-signed certificate for localhost and 127.0.0.1, made once per test run with the openssl CLI.
    static func certificate() throws -> (cert: String, key: String, pem: String) {
        try certificateCache.withLock { cached in
            if let cached { return cached }
            try require(FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "openssl is missing: `apt-get install -y openssl`")
            let directory = try makeTemporaryDirectory()
            let cert = directory.appendingPathComponent("cert.pem").path
            let key = directory.appendingPathComponent("key.pem").path
            let status = try run("/usr/bin/openssl", [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ])
            try require(status == 0, "openssl could not make a test certificate")
            let result = (cert, key, try String(contentsOfFile: cert, encoding: .utf8))
            cached = result
            return result
        }
    }

    private static let certificateCache = Mutex<(cert: String, key: String, pem: String)?>(nil)

    /// A plain-text configuration with short timeouts, for loopback servers.
    static func configuration(port: Int, security: SMTPServerConfiguration.Security = .plaintext) -> SMTPServerConfiguration {
        var configuration = SMTPServerConfiguration(host: "127.0.0.1", port: port, security: security, heloName: "client.test")
        configuration.timeouts = .uniform(.seconds(5))
        return configuration
    }
}

/// A server process started by a test; stopped by PID (and, should the test process die, by its closed stdin).
final class ExternalServer: @unchecked Sendable {
    let process: ChildProcess
    let port: Int
    let directory: URL

    private init(process: ChildProcess, port: Int, directory: URL) {
        self.process = process
        self.port = port
        self.directory = directory
    }

    /// Starts `Fixtures/SMTP/aiosmtpd_server.py` with these options and waits for its port.
    static func aiosmtpd(_ options: [String] = []) async throws -> ExternalServer {
        try await SMTPTestSupport.requireAiosmtpd()
        let directory = try SMTPTestSupport.makeTemporaryDirectory()
        let portFile = directory.appendingPathComponent("port")
        let log = directory.appendingPathComponent("server.log")
        let script = SMTPTestSupport.fixtures.appendingPathComponent("aiosmtpd_server.py").path
        let process = try ChildProcess(SMTPTestSupport.python, [script, "--port-file", portFile.path, "--outdir", directory.path] + options, output: log.path)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, process.isRunning {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) {
                return ExternalServer(process: process, port: port, directory: directory)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.stop()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw SMTPTestSupport.MissingTool(description: "aiosmtpd did not start: \(output)")
    }

    /// Starts `smtp-sink` on a free loopback port; it runs as `nobody` since it refuses to run as root.
    static func smtpSink() async throws -> ExternalServer {
        let sink = "/usr/sbin/smtp-sink"
        try SMTPTestSupport.require(
            FileManager.default.isExecutableFile(atPath: sink),
            "smtp-sink is missing: `echo \"postfix postfix/main_mailer_type select No configuration\" | debconf-set-selections; apt-get install -y postfix`"
        )
        let directory = try SMTPTestSupport.makeTemporaryDirectory()
        for _ in 0..<5 {
            let port = try freePort()
            // The shell stops smtp-sink when its stdin closes: on stop(), or when this test process dies.
            let process = try ChildProcess("/bin/sh", ["-c", "\(sink) -u nobody -c 127.0.0.1:\(port) 256 & pid=$!; trap 'kill $pid' TERM; cat >/dev/null; kill $pid; wait $pid"])
            let server = ExternalServer(process: process, port: port, directory: directory)
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline, process.isRunning {
                if canConnect(port: port) { return server }
                try await Task.sleep(for: .milliseconds(20))
            }
            await server.stopped()
        }
        throw SMTPTestSupport.MissingTool(description: "smtp-sink did not start")
    }

    func stop() {
        self.process.stop()
    }

    /// `stop()` from async code: waiting for the process to exit blocks, so it waits on a Dispatch thread.
    func stopped() async {
        _ = try? await offPool { self.stop() }
    }

    /// The messages received so far, in order: (envelope JSON, bytes).
    func receivedMessages() throws -> [(envelope: [String: Any], data: [UInt8])] {
        var result: [(envelope: [String: Any], data: [UInt8])] = []
        var index = 1
        while let json = FileManager.default.contents(atPath: self.directory.appendingPathComponent("\(index).json").path) {
            let envelope = try JSONSerialization.jsonObject(with: json) as? [String: Any] ?? [:]
            let data = FileManager.default.contents(atPath: self.directory.appendingPathComponent("\(index).eml").path) ?? Data()
            result.append((envelope, Array(data)))
            index += 1
        }
        return result
    }

    /// How many connections the aiosmtpd server accepted.
    func connectionCount() -> Int {
        (try? String(contentsOf: self.directory.appendingPathComponent("connections"), encoding: .utf8)).flatMap { Int($0) } ?? 0
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw SMTPTestSupport.MissingTool(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// Runs `body` with a server and always stops the server afterwards.
func withServer<T>(_ start: () async throws -> ExternalServer, _ body: (ExternalServer) async throws -> T) async throws -> T {
    let server = try await start()
    do {
        let result = try await body(server)
        await server.stopped()
        return result
    } catch {
        await server.stopped()
        throw error
    }
}

extension SMTPClientError {
    /// Runs `body` and returns the SMTPClientError it threw, or records an issue when it threw none.
    static func caught(sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async -> SMTPClientError? {
        do {
            try await body()
            Issue.record("expected an SMTPClientError", sourceLocation: sourceLocation)
            return nil
        } catch let error as SMTPClientError {
            return error
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }
}
