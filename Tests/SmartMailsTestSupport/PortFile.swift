import Foundation

/// The port a test fixture (a Python server) writes to a file once it listens. Waited for while the fixture runs, up
/// to a minute: with every suite starting fixtures at once on two cores, a Python start has taken over 10 s.
public enum PortFile {
    public static func wait(for file: URL, from process: Process) async throws -> Int? {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: file, encoding: .utf8), let port = Int(text) { return port }
            guard process.isRunning else { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
