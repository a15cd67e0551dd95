import Testing
@testable import SmartMailsCore

@Suite struct APIKeyTokenTests {
    @Test func generatedTokensHaveTheDocumentedShapeAndParse() throws {
        for mode in APIKeyMode.allCases {
            let token = APIKeyToken.generate(mode: mode)
            #expect(token.rawValue.count == 46)
            #expect(token.rawValue.hasPrefix("sm_\(mode.rawValue)_"))
            #expect(token.rawValue.utf8.dropFirst(8).allSatisfy(Base62.isBase62))
            let parsed = try APIKeyToken(parsing: token.rawValue)
            #expect(parsed.mode == mode)
            #expect(parsed.hash == token.hash)
        }
    }

    @Test func anyMistypedCharacterIsCaughtByTheChecksum() throws {
        let token = APIKeyToken.generate(mode: .live).rawValue
        var caught = 0
        for index in 8..<46 {
            var characters = Array(token)
            characters[index] = characters[index] == "a" ? "b" : "a"
            if (try? APIKeyToken(parsing: String(characters))) == nil { caught += 1 }
        }
        #expect(caught == 38)
    }

    @Test func malformedTokensAreRefusedWithTheirReason() throws {
        let valid = APIKeyToken.generate(mode: .test).rawValue
        #expect(throws: APIKeyFormatError.wrongLength) { try APIKeyToken(parsing: String(valid.dropLast())) }
        #expect(throws: APIKeyFormatError.unknownPrefix) { try APIKeyToken(parsing: "sk_live_" + valid.dropFirst(8)) }
        // The prefix is compared as one 8-byte word: every byte of it counts, case included, and only two are valid.
        for prefix in ["SM_LIVE_", "sm_lest_", "sm_tive_", "sm_live-", "xm_test_", "sm_test "] {
            #expect(throws: APIKeyFormatError.unknownPrefix, "\(prefix)") { try APIKeyToken.validate(Substring(prefix + valid.dropFirst(8))) }
        }
        #expect(try APIKeyToken.validate(Substring(valid)) == .test)
        // The other valid prefix passes the prefix check; the checksum, which covers the prefix, then refuses it.
        #expect(throws: APIKeyFormatError.badChecksum) { try APIKeyToken.validate(Substring("sm_live_" + valid.dropFirst(8))) }
        #expect(throws: APIKeyFormatError.invalidCharacter) { try APIKeyToken(parsing: String(valid.dropLast()) + "-") }
    }

    @Test func headerSubstringsAreValidatedAndHashedInPlaceLikeWholeTokens() throws {
        let token = APIKeyToken.generate(mode: .test)
        let header = "Bearer " + token.rawValue + " "
        let presented = header.dropFirst(7).dropLast()
        #expect(try APIKeyToken.validate(presented) == .test)
        #expect(APIKeyHash(token: presented) == token.hash)
        #expect(throws: APIKeyFormatError.badChecksum) {
            try APIKeyToken.validate(header.dropFirst(7).dropLast(2) + (token.rawValue.last == "a" ? "b" : "a"))
        }
        #expect(throws: APIKeyFormatError.wrongLength) { try APIKeyToken.validate(header.dropFirst(6)) }
    }

    @Test func hashIsSHA256HexOfTheWholeTokenAndRoundTripsThroughStorage() {
        let hash = APIKeyHash(token: "abc")
        #expect(hash.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(APIKeyHash(hex: hash.hex) == hash)
        #expect(APIKeyHash(hex: hash.hex).hashValue == hash.hashValue)
        #expect(APIKeyHash(token: "abd") != hash)
    }

    @Test func redactionKeepsPrefixAndLastFourOnly() {
        let token = APIKeyToken.generate(mode: .live)
        #expect(token.redacted == String(token.rawValue.prefix(12)) + "…" + String(token.rawValue.suffix(4)))
        #expect(!token.redacted.contains(String(token.rawValue.dropFirst(12).dropLast(4))))
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}
