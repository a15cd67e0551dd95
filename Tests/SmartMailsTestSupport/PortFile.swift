import Foundation

/// The port a test fixture (a Python server) writes to a file once it listens: polled for up to 10 s.
public enum PortFile {
    public static func wait(for file: URL) async throws -> Int? {
        for _ in 0..<500 {
            if let text = try? String(contentsOf: file, encoding: .utf8), let port = Int(text) { return port }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
