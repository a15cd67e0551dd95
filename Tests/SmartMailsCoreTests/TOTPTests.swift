import SmartMailsCore
import Testing

/// RFC 6238's own test vectors (appendix B, SHA-1), and what an authenticator app needs of the secret.
@Suite struct TOTPTests {
    static let rfcSecret = TOTP(secret: Array("12345678901234567890".utf8))

    @Test(arguments: [
        (Int64(59), "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ])
    func matchesTheRFCTestVectors(seconds: Int64, expected: String) {
        #expect(Self.rfcSecret.code(at: Timestamp(millisecondsSinceEpoch: seconds * 1000), digits: 8) == expected)
    }

    @Test func acceptsTheStepEitherSideAndNothingFurther() {
        let totp = TOTP.generate()
        let now = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
        #expect(totp.matchingStep(totp.code(at: now), at: now) != nil)
        #expect(totp.matchingStep(totp.code(at: now.adding(seconds: -30)), at: now) != nil)
        #expect(totp.matchingStep(totp.code(at: now.adding(seconds: 90)), at: now) == nil)
        #expect(totp.matchingStep("12345", at: now) == nil)
    }

    @Test func theBase32SecretReadsBackAndTheURINamesIt() throws {
        let totp = TOTP.generate()
        #expect(try #require(TOTP(base32: totp.base32)) == totp)
        #expect(Self.rfcSecret.base32 == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        #expect(totp.provisioningURI(account: "ana@example.com").hasPrefix("otpauth://totp/SmartMails:ana@example.com?secret=\(totp.base32)"))
    }
}
