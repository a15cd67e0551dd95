import Foundation

/// A DNS server on loopback (dnslib, from PyPI) answering from a zone the test writes and may rewrite between
/// lookups. It exits when its standard input closes, so it never outlives the test process.
public final class LocalDNSServer: @unchecked Sendable {
    public struct Record: Sendable {
        public let name: String
        public let type: String
        public let value: String
        public init(_ name: String, _ type: String, _ value: String) {
            self.name = name
            self.type = type
            self.value = value
        }
    }

    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/dns_server.py").path

    public let port: Int
    private let zone: URL
    private let directory: URL
    private let process: Process
    private let stdin: Pipe

    public init(records: [Record] = [], faults: [String: String] = [:]) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dns-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        zone = directory.appendingPathComponent("zone.json")
        let portFile = directory.appendingPathComponent("port")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, "--zone", zone.path, "--port-file", portFile.path]
        stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try Self.write(records: records, faults: faults, to: zone)
        try process.run()
        if let port = try await PortFile.wait(for: portFile, from: process) {
            self.port = port
            return
        }
        process.terminate()
        throw ServerError(description: "the DNS fixture did not start; install dnslib (pip install dnslib)")
    }

    deinit {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: directory)
    }

    /// `host:port`, as `SMARTMAILS_DNS_SERVER` takes it.
    public var address: String { "127.0.0.1:\(port)" }

    /// Replaces the zone; the next query answers from it.
    public func publish(_ records: [Record], faults: [String: String] = [:]) throws {
        try Self.write(records: records, faults: faults, to: zone)
    }

    private static func write(records: [Record], faults: [String: String], to url: URL) throws {
        let object: [String: Any] = ["records": records.map { ["name": $0.name, "type": $0.type, "value": $0.value] }, "faults": faults]
        // Atomic: a query arriving mid-write reads the old zone or the new one, never half of one.
        try JSONSerialization.data(withJSONObject: object).write(to: url, options: .atomic)
    }

    struct ServerError: Error, CustomStringConvertible { let description: String }
}
