import Foundation
import Testing
import SmartMailsTestSupport

/// An aiosmtpd server (SMTPKit's test fixture) that the tests deliver to, with faults chosen per test. It exits when
/// its standard input closes, so it never outlives the test process.
final class MailSink: @unchecked Sendable {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../SMTPKitTests/Fixtures/SMTP/aiosmtpd_server.py").standardizedFileURL.path
    /// Debian's python, which python3-aiosmtpd installs into (as SMTPKit's tests use).
    private static let python = ProcessInfo.processInfo.environment["SMTPKIT_TEST_PYTHON"] ?? "/usr/bin/python3"

    let port: Int
    let directory: URL
    private let process: Process
    private let stdin: Pipe

    /// `options` are the fixture's own flags (`--tls starttls --cert … --key …`, `--auth user:password`).
    init(faults: [String] = [], options: [String] = []) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let portFile = directory.appendingPathComponent("port")
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [Self.script, "--port-file", portFile.path, "--outdir", directory.path] + options + faults.flatMap { ["--fault", $0] }
        stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let port = try await PortFile.wait(for: portFile, from: process) {
            self.port = port
            return
        }
        process.terminate()
        throw SinkError(description: "aiosmtpd did not start; install python3-aiosmtpd")
    }

    deinit { stop() }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }

    var url: String { "smtp://127.0.0.1:\(port)" }

    /// Messages received so far, in order: the envelope and the bytes (dot-stuffing undone).
    func received() -> [(from: String, recipients: [String], data: Data)] {
        var result: [(String, [String], Data)] = []
        var index = 1
        while let json = FileManager.default.contents(atPath: directory.appendingPathComponent("\(index).json").path) {
            let envelope = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] ?? [:]
            let data = FileManager.default.contents(atPath: directory.appendingPathComponent("\(index).eml").path) ?? Data()
            result.append((envelope["mail_from"] as? String ?? "", envelope["rcpt_tos"] as? [String] ?? [], data))
            index += 1
        }
        return result
    }

    /// For each message received, whether its session was encrypted.
    func receivedOverTLS() -> [Bool] {
        var result: [Bool] = []
        var index = 1
        while let json = FileManager.default.contents(atPath: directory.appendingPathComponent("\(index).json").path) {
            result.append(((try? JSONSerialization.jsonObject(with: json)) as? [String: Any])?["tls"] as? Bool ?? false)
            index += 1
        }
        return result
    }

    /// A self-signed certificate for 127.0.0.1 made by openssl: (certificate file, key file).
    static func selfSignedCertificate() async throws -> (cert: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let outcome = try await ChildProcessRunner.run(URL(fileURLWithPath: "/usr/bin/openssl"), [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
            "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        guard outcome.status == 0 else { throw SinkError(description: "openssl could not make a test certificate") }
        return (cert, key)
    }

    struct SinkError: Error, CustomStringConvertible { let description: String }
}

/// dkimpy's verdict on every DKIM signature of `message`, given the published records: one "pass a=… s=…" or
/// "fail …" line per signature.
func verifyAllDKIMSignatures(_ message: Data, records: [String: String]) async throws -> [String] {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dkim-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let recordsFile = folder.appendingPathComponent("records.json")
    let messageFile = folder.appendingPathComponent("message.eml")
    try JSONSerialization.data(withJSONObject: records).write(to: recordsFile)
    try message.write(to: messageFile)
    let data = try await offPool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", MailSink.fixtures.appendingPathComponent("verify_all_dkim.py").path, recordsFile.path, messageFile.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
}
