import Foundation
import Testing

/// Fixture paths and a Python runner shared by the MIME and DKIM tests; fails loudly when python3 or a package is missing.
enum MIMETestSupport {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    struct PythonResult {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct PythonUnavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `Fixtures/<script>` with python3. Exit status 3 (missing module) and 127 (no python3) throw,
    /// naming what to install, so a machine without them fails instead of skipping.
    static func runPython(_ script: String, _ arguments: [String]) async throws -> PythonResult {
        let result = try await offPool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", fixtures.appendingPathComponent(script).path] + arguments
            let out = Pipe()
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return PythonResult(
                status: process.terminationStatus,
                stdout: String(decoding: stdout, as: UTF8.self),
                stderr: String(decoding: stderr, as: UTF8.self)
            )
        }
        switch result.status {
        case 127:
            throw PythonUnavailable(description: "python3 not found: install it (apt-get install python3). \(result.stderr)")
        case 3:
            throw PythonUnavailable(description: "\(script) is missing a Python package: \(result.stderr)")
        default:
            return result
        }
    }

    /// Writes `bytes` to a fresh file in the temporary directory.
    static func temporaryFile(_ bytes: [UInt8], suffix: String = ".eml") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("smtpkit-\(UUID().uuidString)\(suffix)")
        try Data(bytes).write(to: url)
        return url
    }

    /// All lines of a CRLF message, without their line ends.
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 13, bytes[index + 1] == 10 {
                result.append(bytes[start..<index])
                start = index + 2
                index += 2
            } else {
                index += 1
            }
        }
        if start < bytes.count { result.append(bytes[start...]) }
        return result
    }
}
