@testable import SmartMailsServer
import Testing

/// How a bearer token is read out of the Authorization field (RFC 9110: the scheme is case-insensitive).
@Suite struct AuthenticatorTests {
    @Test(arguments: [
        ("Bearer sm_live_abc", "sm_live_abc"),
        ("bearer sm_live_abc", "sm_live_abc"),
        ("BEARER \t sm_live_abc \t ", "sm_live_abc"),
        ("Bearer é sm", "é sm"),
        ("Bearer ", ""),
    ])
    func theTokenIsWhatFollowsTheBearerScheme(header: String, token: String) {
        #expect(Authenticator.credentials(afterBearerIn: header) == token[...])
    }

    @Test(arguments: ["Basic c2VjcmV0", "Bearer", "Bearersm_live_abc", "Token sm_live_abc", "Bearer\tsm_live_abc"])
    func otherSchemesAreNotBearerTokens(header: String) {
        #expect(Authenticator.credentials(afterBearerIn: header) == nil)
    }
}
