import Foundation
import Synchronization

/// Runs a program to its end and returns its exit status and output, waiting on a thread of its own.
///
/// Waiting for a child blocks. Done on one of the few threads Swift concurrency runs tasks on (two on a 2-core
/// machine), it can starve the in-process server the child is talking to (a browser loading `/docs`), and the whole
/// test run stalls. A child still running after `timeout` is terminated and reported as such.
public enum ChildProcessRunner {
    public struct Outcome: Sendable {
        public let status: Int32
        public let stdout: String
        public let timedOut: Bool
    }

    /// `directory` and `environment` default to the test process's own.
    public static func run(
        _ executable: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil,
        timeout: Duration = .seconds(120)
    ) async throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let child = UncheckedProcess(process)
        let timedOut = Atomic(false)
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            if child.process.isRunning {
                timedOut.store(true, ordering: .relaxed)
                child.process.terminate()
            }
        }
        defer { watchdog.cancel() }
        let (status, data) = await withCheckedContinuation { (continuation: CheckedContinuation<(Int32, Data), Never>) in
            Thread {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                child.process.waitUntilExit()
                continuation.resume(returning: (child.process.terminationStatus, data))
            }.start()
        }
        return Outcome(status: status, stdout: String(decoding: data, as: UTF8.self), timedOut: timedOut.load(ordering: .relaxed))
    }
}

/// `Process` is not `Sendable`; this one is only asked whether it runs and told to stop from the other tasks.
private final class UncheckedProcess: @unchecked Sendable {
    let process: Process
    init(_ process: Process) { self.process = process }
}
