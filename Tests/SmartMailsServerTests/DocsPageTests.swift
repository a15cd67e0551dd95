import Foundation
import HummingbirdTesting
import SmartMailsTestSupport
import Testing

/// `/docs` as a person sees it: rendered by headless Chromium, which runs the page's script against `/openapi.json`.
@Suite struct DocsPageTests {
    static func chromium() throws -> String {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw DocsError("headless Chromium is needed for this test: apt-get install chromium")
    }

    struct DocsError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test func docsRenderEveryOperationWithItsScope() async throws {
        let browser = try Self.chromium()
        try await TestApp.run(on: .sqlite, mode: .live) { _, client in
            let port = try #require(client.port)
            let outcome = try await ChildProcessRunner.run(URL(fileURLWithPath: browser), [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=\(FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)").path)",
                "--virtual-time-budget=10000", "--dump-dom", "http://127.0.0.1:\(port)/docs",
            ], timeout: .seconds(90))
            #expect(!outcome.timedOut, "Chromium did not finish rendering /docs")
            #expect(outcome.status == 0)
            let dom = outcome.stdout
            #expect(dom.contains("SmartMails API"))
            #expect(!dom.contains("Loading /openapi.json"), "the page's script did not render the spec")
            for operation in try await client.documentedOperations() {
                #expect(dom.contains("id=\"\(operation.operationID)\""), "\(operation) missing from /docs")
            }
            #expect(dom.contains("scope: keys:admin") && dom.contains("scope: audit:read"))
            #expect(dom.contains("/v1/api-keys/{id}/roll"))
        }
    }
}
