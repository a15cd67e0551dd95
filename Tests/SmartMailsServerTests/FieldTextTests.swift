@testable import SmartMailsServer
import Testing

/// Field values are written digit by digit into strings of their exact length; they must read exactly as the
/// integers' usual decimal form, on both sides of the 15 bytes a string can hold inline.
@Suite struct FieldTextTests {
    static let numbers = [0, 1, 9, 10, 59, 60, 99, 100, 999, 1_000, 86_400, 99_999, 100_000, 1_234_567, Int(Int32.max), Int.max]

    @Test(arguments: numbers)
    func decimalMatchesTheIntegersDescription(number: Int) {
        #expect(FieldText.decimal(number) == number.description)
    }

    @Test func negativeCountsReadAsZero() {
        #expect(FieldText.decimal(-5) == "0")
    }

    @Test(arguments: [(60, 60), (2, 60), (100_000, 1), (100_000, 86_400), (1, 1), (Int.max, 0)])
    func rateLimitItemsSpellTheDraftsSyntax(first: Int, second: Int) {
        let policy = RateLimitHeaders.policyItem(requests: first, perSeconds: second)
        #expect(policy == "\"key\";q=\(first);w=\(second)")
        #expect(policy.utf8.count == 8 + first.description.count + 3 + second.description.count)
        #expect(RateLimitHeaders.remainingItem(remaining: first, resetSeconds: second) == "\"key\";r=\(first);t=\(second)")
    }
}
