import Testing
@testable import SmartMailsCore

@Suite struct ResourceIDTests {
    @Test func idsSortByCreationTime() {
        let earlier = ResourceID.make(prefix: "key", at: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000))
        let later = ResourceID.make(prefix: "key", at: Timestamp(millisecondsSinceEpoch: 1_700_000_000_001))
        #expect(earlier < later)
        #expect(ResourceID.isWellFormed(earlier, prefix: "key"))
        #expect(!ResourceID.isWellFormed(earlier, prefix: "aud"))
        #expect(!ResourceID.isWellFormed("key_../../etc", prefix: "key"))
    }

    @Test func minuteFloorTruncates() {
        #expect(Timestamp(millisecondsSinceEpoch: 125_999).minuteFloor.millisecondsSinceEpoch == 120_000)
    }
}
