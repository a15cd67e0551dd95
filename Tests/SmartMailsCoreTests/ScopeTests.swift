import Testing
@testable import SmartMailsCore

@Suite struct ScopeTests {
    @Test func presetsExpandAndWriteImpliesRead() throws {
        let read = try ScopeSet.parse(["read"])
        #expect(read.contains(.contactsRead) && !read.contains(.contactsWrite) && !read.contains(.auditRead))
        let write = try ScopeSet.parse(["write"])
        #expect(write.contains(.messagesSend) && write.contains(.contactsRead) && !write.contains(.keysAdmin))
        #expect(try ScopeSet.parse(["admin"]) == .all)
        #expect(try ScopeSet.parse(["keys:admin"]).contains(.keysRead))
    }

    @Test func unknownAndEmptyScopesAreRefused() {
        #expect(throws: ScopeParseError.unknown("contacts:delete")) { try ScopeSet.parse(["read", "contacts:delete"]) }
        #expect(throws: ScopeParseError.empty) { try ScopeSet.parse([]) }
    }

    @Test func aKeyCannotGrantMoreThanItHolds() throws {
        let creator = try ScopeSet.parse(["read"])
        #expect(throws: KeyGrantError.scopesExceedCreator([.messagesSend])) {
            try APIKeyRules.checkGrant(requested: try ScopeSet.parse(["contacts:read", "messages:send"]), mode: .live, creatorScopes: creator, creatorMode: .live)
        }
        #expect(throws: KeyGrantError.testKeyCannotCreateLiveKey) {
            try APIKeyRules.checkGrant(requested: creator, mode: .live, creatorScopes: .all, creatorMode: .test)
        }
        try APIKeyRules.checkGrant(requested: creator, mode: .test, creatorScopes: creator, creatorMode: .test)
    }
}
