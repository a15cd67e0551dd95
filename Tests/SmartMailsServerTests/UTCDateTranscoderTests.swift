import Foundation
import OpenAPIRuntime
@testable import SmartMailsServer
import Testing

@Suite struct UTCDateTranscoderTests {
    @Test func matchesTheRuntimesISO8601OutputAcrossYears() throws {
        let ours = UTCDateTranscoder()
        let reference = ISO8601DateTranscoder()
        var generator = SystemRandomNumberGenerator()
        let samples: [Double] = [0, 951_782_400, 1_709_164_800, 4_107_542_399, -1] + (0..<500).map { _ in
            Double(Int64.random(in: 0...6_000_000_000, using: &generator))
        }
        for seconds in samples {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(try ours.encode(date) == reference.encode(date), "\(seconds)")
        }
        #expect(try ours.decode("2026-11-25T17:16:55+01:00") == Date(timeIntervalSince1970: 1_795_623_415))
    }
}
