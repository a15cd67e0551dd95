import Foundation
import SmartMailsCore
import Testing

/// The contact domain as a user meets it: addresses as typed, custom fields and their limits, dates, the checks
/// on every field, what an upsert does under each conflict policy, and how a CSV file's columns are read.
@Suite struct ContactDomainTests {
    static let now = Timestamp(millisecondsSinceEpoch: 1_714_550_400_000)  // 2024-05-01T08:00:00Z

    static func contact(_ address: String = "ana@example.com", status: ContactStatus = .active) -> Contact {
        let then = now.adding(seconds: -86_400)
        return Contact(id: "ct_1", workspaceID: "ws_1", email: try! ContactEmail.parse(address), status: status, createdAt: then, updatedAt: then)
    }

    // MARK: - E-mail addresses

    @Test(arguments: [
        ("ana@example.com", "ana@example.com"),
        ("  Ana@Example.COM\t", "Ana@example.com"),
        ("Ana@Bücher.Example", "Ana@xn--bcher-kva.example"),
        ("first.last+tag@sub.example.org", "first.last+tag@sub.example.org"),
        ("josé@example.com", "josé@example.com"),
    ])
    func addressesAreTrimmedAndTheirDomainNormalised(input: String, address: String) throws {
        let email = try ContactEmail.parse(input)
        #expect(email.address == address)
        #expect(email.key == address.lowercased())
    }

    @Test func addressesThatDifferOnlyInCaseShareAKeyButKeepTheirLocalPart() throws {
        let upper = try ContactEmail.parse("ANA@EXAMPLE.COM")
        let lower = try ContactEmail.parse("ana@example.com")
        #expect(upper.address == "ANA@example.com")
        #expect(upper.key == lower.key)
        #expect(upper != lower)
    }

    @Test(arguments: [
        "ana.example.com",
        "",
        "ana smith@example.com",
        "ana@exa mple.com",
        "ana..smith@example.com",
        ".ana@example.com",
        "ana.@example.com",
        "ana@example..com",
        "ana@example",
        "ana@-example.com",
        "@example.com",
        "ana@",
        "\"ana\"@example.com",
        "ana@exam_ple.com",
        String(repeating: "a", count: 65) + "@example.com",
    ])
    func malformedAddressesAreRefused(input: String) {
        let error = #expect(throws: ValidationError.self) { try ContactEmail.parse(input, param: "rows[3].email") }
        #expect(error?.param == "rows[3].email")
    }

    @Test func addressesAreAtMost254Characters() throws {
        let local = String(repeating: "l", count: 64)
        func domain(lastLabel: Int) -> String {
            String(repeating: "a", count: 63) + "." + String(repeating: "b", count: 63) + "." + String(repeating: "c", count: lastLabel) + ".com"
        }
        let longest = local + "@" + domain(lastLabel: 57)
        #expect(longest.utf8.count == 254)
        #expect(try ContactEmail.parse(longest).address == longest)
        let tooLong = local + "@" + domain(lastLabel: 58)
        let error = #expect(throws: ValidationError.self) { try ContactEmail.parse(tooLong) }
        #expect(error?.message.contains("254") == true)
        #expect(try ContactEmail.parse(String(repeating: "l", count: 64) + "@example.com").address.hasPrefix(local))
    }

    // MARK: - Attributes

    @Test func attributeChangesFromJSONKeepTheirTypesAndNullRemovesAKey() throws {
        let changes = try ContactAttributes.changes(from: [
            "plan": .string("pro"), "orders": .integer(12), "score": .number(4.5), "vip": .bool(true),
            "renewal": .string("2024-06-01T10:00:00+02:00"), "old": .null,
        ])
        #expect(changes["plan"] == .some(.string("pro")))
        #expect(changes["orders"] == .some(.integer(12)))
        #expect(changes["score"] == .some(.number(4.5)))
        #expect(changes["vip"] == .some(.bool(true)))
        #expect(changes["renewal"] == .some(.date("2024-06-01T08:00:00Z")))
        #expect(changes["old"] == .some(nil))

        let existing = ContactAttributes(["old": .string("x"), "plan": .string("free")])
        let merged = try existing.merging(changes)
        #expect(merged["old"] == nil)
        #expect(merged["plan"] == .string("pro"))
        #expect(merged.values.count == 5)
        #expect(merged.jsonText == #"{"orders":12,"plan":"pro","renewal":"2024-06-01T08:00:00Z","score":4.5,"vip":true}"#)
    }

    @Test(arguments: ["1plan", "has-dash", "plan name", "plän", "", String(repeating: "k", count: 65), "a.b"])
    func attributeNamesMustBeIdentifiers(key: String) {
        #expect(!ContactAttributes.isValidKey(key))
        let error = #expect(throws: ValidationError.self) { try ContactAttributes.changes(from: [key: .string("v")]) }
        #expect(error?.param.hasPrefix("attributes.") == true)
    }

    @Test(arguments: ["plan", "_private", "Plan2", "a_b_c", String(repeating: "k", count: 64)])
    func identifierAttributeNamesAreAccepted(key: String) throws {
        #expect(ContactAttributes.isValidKey(key))
        #expect(try ContactAttributes.changes(from: [key: .string("v")]).count == 1)
    }

    @Test(arguments: [JSONValue.array([.string("a")]), .object(["a": .integer(1)])])
    func attributeValuesAreNotArraysOrObjects(value: JSONValue) {
        let error = #expect(throws: ValidationError.self) { try ContactAttributes.changes(from: ["plan": value]) }
        #expect(error?.param == "attributes.plan")
    }

    @Test func attributeStringsAreAtMost2048Characters() throws {
        #expect(try ContactAttributes.changes(from: ["note": .string(String(repeating: "n", count: 2048))]).count == 1)
        let error = #expect(throws: ValidationError.self) {
            try ContactAttributes.changes(from: ["note": .string(String(repeating: "n", count: 2049))])
        }
        #expect(error?.param == "attributes.note")
    }

    @Test func aContactHasAtMost100Attributes() throws {
        var json: [String: JSONValue] = [:]
        for index in 0..<100 { json["k\(index)"] = .integer(Int64(index)) }
        let hundred = try ContactAttributes().merging(try ContactAttributes.changes(from: json))
        #expect(hundred.values.count == 100)
        json["k100"] = .integer(100)
        #expect(throws: ValidationError.self) { try ContactAttributes.changes(from: json) }
        // One more through a later change is refused too, whatever the change alone holds.
        let error = #expect(throws: ValidationError.self) { try hundred.merging(["extra": .bool(true)]) }
        #expect(error?.param == "attributes")
        // Replacing and removing keep it within the limit.
        #expect(try hundred.merging(["k1": .bool(true), "k2": nil, "extra": .bool(false)]).values.count == 100)
    }

    @Test func attributesAreAtMost16KBAsJSON() throws {
        let long = String(repeating: "x", count: 2000)
        var changes: [String: AttributeValue?] = [:]
        for index in 0..<8 { changes["note\(index)"] = .string(long) }
        let eight = try ContactAttributes().merging(changes)
        #expect(eight.jsonText.utf8.count < ContactAttributes.maximumBytes)
        let error = #expect(throws: ValidationError.self) { try eight.merging(["note8": .string(long)]) }
        #expect(error?.message.contains("16384") == true)
        #expect(throws: ValidationError.self) { try eight.filling(["note8": .string(long)]) }
    }

    @Test func fillingSetsOnlyTheMissingKeys() throws {
        let existing = ContactAttributes(["plan": .string("pro")])
        let filled = try existing.filling(["plan": .string("free"), "orders": .integer(3)])
        #expect(filled == ContactAttributes(["plan": .string("pro"), "orders": .integer(3)]))
    }

    // MARK: - Dates

    @Test(arguments: [
        ("2024-05-01T08:30:00Z", "2024-05-01T08:30:00Z"),
        ("2024-05-01T10:30:00+02:00", "2024-05-01T08:30:00Z"),
        ("2024-05-01t08:30:00.987z", "2024-05-01T08:30:00Z"),
        ("2024-05-01 08:30:00.5-01:30", "2024-05-01T10:00:00Z"),
        ("2024-01-01T01:00:00+02:00", "2023-12-31T23:00:00Z"),
        ("2024-05-01", "2024-05-01"),
        ("2024-02-29", "2024-02-29"),
        ("2000-02-29", "2000-02-29"),
        ("2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z"),
        ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
    ])
    func dateTimesHaveOneCanonicalFormInUTC(input: String, canonical: String) {
        #expect(RFC3339.canonical(input) == canonical)
    }

    @Test(arguments: [
        "2024-02-30", "2023-02-29", "1900-02-29", "2024-04-31", "2024-13-01", "2024-00-10", "2024-05-00",
        "2024-05-01T24:00:00Z", "2024-05-01T08:60:00Z", "2024-05-01T08:30:00", "2024-05-01T08:30:00+2:00",
        "2024-05-01T08:30:00.Z", "2024-05-01T08:30Z", "2024-5-1", "24-05-01", "2024/05/01", "yesterday", "",
        "2024-05-01Z", "2024-05-01T08:30:00Zjunk",
    ])
    func notDatesAreNotDates(input: String) {
        #expect(RFC3339.canonical(input) == nil)
        #expect(RFC3339.timestamp(input) == nil)
        #expect(AttributeValue(text: input, as: .date) == nil)
        // As a JSON attribute, text that is not a date stays text.
        #expect(AttributeValue(json: .string(input)) == .string(input))
    }

    @Test func datesAreInstants() {
        #expect(RFC3339.timestamp("2024-05-01T08:00:00Z") == Self.now)
        #expect(RFC3339.timestamp("2024-05-01T10:00:00+02:00") == Self.now)
        #expect(RFC3339.timestamp("2024-05-01") == Self.now.adding(seconds: -8 * 3600))
        #expect(RFC3339.format(Self.now.adding(milliseconds: 999)) == "2024-05-01T08:00:00Z")
        #expect(RFC3339.format(Timestamp(millisecondsSinceEpoch: -1)) == "1969-12-31T23:59:59Z")
    }

    @Test func cellsAreReadAsTheirAttributeType() {
        #expect(AttributeValue(text: " 42 ", as: .number) == .integer(42))
        #expect(AttributeValue(text: "-4.25", as: .number) == .number(-4.25))
        #expect(AttributeValue(text: "forty", as: .number) == nil)
        #expect(AttributeValue(text: "inf", as: .number) == nil)
        #expect(AttributeValue(text: "Yes", as: .boolean) == .bool(true))
        #expect(AttributeValue(text: "0", as: .boolean) == .bool(false))
        #expect(AttributeValue(text: "maybe", as: .boolean) == nil)
        #expect(AttributeValue(text: "2024-05-01T10:00:00+02:00", as: .date) == .date("2024-05-01T08:00:00Z"))
        #expect(AttributeValue(text: "2024-05-01", as: .string) == .string("2024-05-01"))
    }

    // MARK: - Field checks

    @Test func namesAreTrimmedAndBounded() throws {
        #expect(try ContactChanges.name("  Ana Maria \t", param: "first_name") == "Ana Maria")
        #expect(try ContactChanges.name(String(repeating: "n", count: 200), param: "first_name").count == 200)
        let tooLong = #expect(throws: ValidationError.self) { try ContactChanges.name(String(repeating: "n", count: 201), param: "first_name") }
        #expect(tooLong?.param == "first_name")
        let control = #expect(throws: ValidationError.self) { try ContactChanges.name("Ana\nSmith", param: "last_name") }
        #expect(control?.param == "last_name")
    }

    @Test func externalIDsAreOneTo255Bytes() throws {
        #expect(try ContactChanges.externalID("crm-1") == "crm-1")
        #expect(try ContactChanges.externalID(String(repeating: "x", count: 255)).count == 255)
        for bad in ["", String(repeating: "x", count: 256), "a\u{0}b", String(repeating: "é", count: 128)] {
            let error = #expect(throws: ValidationError.self) { try ContactChanges.externalID(bad) }
            #expect(error?.param == "external_id")
        }
    }

    @Test func tagsAreTrimmedDeduplicatedAndSorted() throws {
        #expect(try ContactChanges.tags([" vip ", "beta", "vip", "plan:pro", "a/b-c_d.e", "Grün 2"]) == ["Grün 2", "a/b-c_d.e", "beta", "plan:pro", "vip"])
        #expect(try ContactChanges.tags([]) == [])
        for bad in [[""], ["  "], ["no!"], ["a,b"], [String(repeating: "t", count: 65)]] {
            let error = #expect(throws: ValidationError.self) { try ContactChanges.tags(bad, param: "tags") }
            #expect(error?.param == "tags")
        }
        #expect(try ContactChanges.tags((0..<100).map { "t\($0)" }).count == 100)
        #expect(throws: ValidationError.self) { try ContactChanges.tags((0..<101).map { "t\($0)" }) }
        // Duplicates do not count against the limit.
        #expect(try ContactChanges.tags((0..<150).map { "t\($0 % 100)" }).count == 100)
    }

    @Test func timeZonesAreIANANames() throws {
        #expect(try ContactChanges.timeZone("Europe/Berlin") == "Europe/Berlin")
        #expect(try ContactChanges.timeZone("America/Argentina/Buenos_Aires") == "America/Argentina/Buenos_Aires")
        for bad in ["Mars/Olympus_Mons", "", "Berlin", String(repeating: "Europe/", count: 10)] {
            let error = #expect(throws: ValidationError.self) { try ContactChanges.timeZone(bad) }
            #expect(error?.param == "time_zone")
        }
    }

    @Test func localesAreLanguageTags() throws {
        for good in ["de", "pt-BR", "zh-Hant-TW", "fil", "es-419"] { #expect(try ContactChanges.locale(good) == good) }
        for bad in ["", "d", "deutsch", "de_DE", "de-", "-de", "pt-BR-", "de-toolongsubtag", "1a"] {
            let error = #expect(throws: ValidationError.self) { try ContactChanges.locale(bad) }
            #expect(error?.param == "locale")
        }
    }

    @Test func consentTextIsAtMost2000Characters() throws {
        #expect(try ContactChanges.consentText(nil, param: "consent.text") == nil)
        #expect(try ContactChanges.consentText(String(repeating: "c", count: 2000), param: "consent.text")?.count == 2000)
        let error = #expect(throws: ValidationError.self) { try ContactChanges.consentText(String(repeating: "c", count: 2001), param: "consent.text") }
        #expect(error?.param == "consent.text")
    }

    // MARK: - Applying changes

    static func richContact() -> Contact {
        var contact = contact()
        contact.firstName = "Ana"
        contact.externalID = "crm-1"
        contact.attributes = ContactAttributes(["plan": .string("pro")])
        contact.tags = ["vip"]
        contact.locale = "de"
        return contact
    }

    static func incoming() -> ContactChanges {
        var changes = ContactChanges()
        changes.email = try! ContactEmail.parse("ana.new@example.com")
        changes.firstName = "Anna"
        changes.lastName = "Silva"
        changes.externalID = "crm-2"
        changes.attributes = ["plan": .string("free"), "orders": .integer(3)]
        changes.tags = ["beta"]
        changes.timeZone = "Europe/Lisbon"
        changes.locale = "pt"
        changes.status = .unsubscribed
        changes.consent = Consent(source: "form", at: now, ip: "192.0.2.1", text: "Yes, mail me")
        return changes
    }

    @Test func updateReplacesEveryGivenField() throws {
        let before = Self.richContact()
        let after = try before.applying(Self.incoming(), policy: .update, now: Self.now)
        #expect(after.email.address == "ana.new@example.com")
        #expect(after.firstName == "Anna")
        #expect(after.lastName == "Silva")
        #expect(after.externalID == "crm-2")
        #expect(after.attributes == ContactAttributes(["plan": .string("free"), "orders": .integer(3)]))
        #expect(after.tags == ["beta"])
        #expect(after.timeZone == "Europe/Lisbon")
        #expect(after.locale == "pt")
        #expect(after.status == .unsubscribed)
        #expect(after.consent?.source == "form")
        #expect(after.updatedAt == Self.now)
        #expect(after.createdAt == before.createdAt)
        #expect(after.id == before.id)
    }

    @Test func updateLeavesUnnamedFieldsAndClearsEmptyOnes() throws {
        let before = Self.richContact()
        var changes = ContactChanges()
        changes.firstName = ""
        changes.attributes = ["plan": nil]
        changes.tags = []
        let after = try before.applying(changes, policy: .update, now: Self.now)
        #expect(after.firstName == nil)
        #expect(after.attributes.isEmpty)
        #expect(after.tags == [])
        #expect(after.externalID == "crm-1")
        #expect(after.locale == "de")
        #expect(after.email == before.email)
    }

    @Test func changesThatChangeNothingLeaveUpdatedAtAlone() throws {
        let before = Self.richContact()
        var same = ContactChanges()
        same.email = before.email
        same.firstName = "Ana"
        same.attributes = ["plan": .string("pro")]
        same.tags = ["vip"]
        same.status = .active
        let after = try before.applying(same, policy: .update, now: Self.now)
        #expect(after == before)
        #expect(after.updatedAt != Self.now)
    }

    @Test func skipLeavesTheContactAsItIs() throws {
        let before = Self.richContact()
        #expect(try before.applying(Self.incoming(), policy: .skip, now: Self.now) == before)
    }

    @Test func fillEmptySetsOnlyFieldsWithoutAValue() throws {
        let before = Self.richContact()
        let after = try before.applying(Self.incoming(), policy: .fillEmpty, now: Self.now)
        #expect(after.email == before.email)
        #expect(after.firstName == "Ana")
        #expect(after.externalID == "crm-1")
        #expect(after.locale == "de")
        #expect(after.tags == ["vip"])
        #expect(after.status == .active)
        #expect(after.lastName == "Silva")
        #expect(after.timeZone == "Europe/Lisbon")
        #expect(after.attributes == ContactAttributes(["plan": .string("pro"), "orders": .integer(3)]))
        #expect(after.consent?.source == "form")
        #expect(after.updatedAt == Self.now)

        var empty = Self.contact()
        empty.tags = []
        let filled = try empty.applying(Self.incoming(), policy: .fillEmpty, now: Self.now)
        #expect(filled.tags == ["beta"])
        #expect(filled.firstName == "Anna")
        #expect(filled.email == empty.email)
    }

    @Test(arguments: [ContactStatus.bounced, .complained])
    func suppressedByTheMailSystemNeverBecomesActive(status: ContactStatus) throws {
        let before = Self.contact(status: status)
        var changes = ContactChanges()
        changes.status = .active
        let error = #expect(throws: ValidationError.self) { try before.applying(changes, policy: .update, now: Self.now) }
        #expect(error?.param == "status")
        // Other statuses are allowed, and fill_empty never touches the status.
        changes.status = .unsubscribed
        #expect(try before.applying(changes, policy: .update, now: Self.now).status == .unsubscribed)
        changes.status = .active
        #expect(try before.applying(changes, policy: .fillEmpty, now: Self.now).status == status)
    }

    @Test func unsubscribedCanBecomeActiveAgain() throws {
        var changes = ContactChanges()
        changes.status = .active
        #expect(try Self.contact(status: .unsubscribed).applying(changes, policy: .update, now: Self.now).status == .active)
    }

    @Test func attributeLimitsHoldWhenApplying() throws {
        var changes = ContactChanges()
        changes.attributes = Dictionary(uniqueKeysWithValues: (0..<101).map { ("k\($0)", AttributeValue?.some(.integer(Int64($0)))) })
        let error = #expect(throws: ValidationError.self) { try Self.contact().applying(changes, policy: .update, now: Self.now) }
        #expect(error?.param == "attributes")
    }

    @Test func aNewContactTakesTheChangesAndTheTimeGiven() throws {
        var changes = Self.incoming()
        changes.status = nil
        let contact = try Contact.new(id: "ct_2", workspaceID: "ws_1", changes: changes, suppressedAs: nil, now: Self.now)
        #expect(contact.id == "ct_2")
        #expect(contact.workspaceID == "ws_1")
        #expect(contact.email.address == "ana.new@example.com")
        #expect(contact.firstName == "Anna")
        #expect(contact.status == .active)
        #expect(contact.createdAt == Self.now)
        #expect(contact.updatedAt == Self.now)
    }

    @Test(arguments: [ContactStatus.unsubscribed, .bounced, .complained])
    func aSuppressedAddressComesBackSuppressed(status: ContactStatus) throws {
        var changes = Self.incoming()
        changes.status = .active
        let contact = try Contact.new(id: "ct_2", workspaceID: "ws_1", changes: changes, suppressedAs: status, now: Self.now)
        #expect(contact.status == status)
    }

    @Test func aNewContactNeedsAnEmail() {
        var changes = ContactChanges()
        changes.firstName = "Ana"
        let error = #expect(throws: ValidationError.self) { try Contact.new(id: "ct_2", workspaceID: "ws_1", changes: changes, suppressedAs: nil, now: Self.now) }
        #expect(error?.param == "email")
    }

    @Test func upsertItemsAreMatchedByTheirLowerCasedEmailOrExternalID() throws {
        var changes = ContactChanges()
        changes.email = try ContactEmail.parse("Ana@Example.com")
        changes.externalID = "CRM-1"
        #expect(ContactUpsert(match: .email, changes: changes).matchKey == "e:ana@example.com")
        #expect(ContactUpsert(match: .externalID, changes: changes).matchKey == "x:CRM-1")
        #expect(ContactUpsert(match: .externalID, changes: ContactChanges()).matchKey == nil)
    }

    // MARK: - Import columns

    @Test func headersAreMappedToFieldsOrAttributes() throws {
        let header = ["E-Mail", "First Name", "last_name", "Surname2", "Company Name", "attributes.plan", "Tags", "TZ", "Language", "Status", "External ID", " Notes (free text) "]
        let columns = try ImportColumns(header: header, options: ImportOptions())
        #expect(columns.targets == [
            .email, .firstName, .lastName, .attribute("surname2"), .attribute("company_name"), .attribute("plan"), .tags, .timeZone,
            .locale, .status, .externalID, .attribute("notes_free_text"),
        ])
    }

    @Test(arguments: ["email", "Email", "EMAIL", "e-mail", "E_Mail", "Email Address", "mail"])
    func theEmailColumnIsFoundByItsUsualNames(name: String) throws {
        #expect(try ImportColumns(header: [name], options: ImportOptions()).targets == [.email])
    }

    @Test func anExportedFileImportsBackAsItIs() throws {
        // The columns an export writes: the read-only ones (id and the times) are not imported as attributes.
        let header = ["id", "email", "first_name", "last_name", "external_id", "status", "tags", "time_zone", "locale", "created_at", "updated_at", "attributes.orders", "attributes.plan"]
        let columns = try ImportColumns(header: header, options: ImportOptions(attributeTypes: ["orders": .number]))
        #expect(columns.targets == [.ignore, .email, .firstName, .lastName, .externalID, .status, .tags, .timeZone, .locale, .ignore, .ignore, .attribute("orders"), .attribute("plan")])
        let changes = try columns.changes(for: [
            "ct_01hx", "ana@example.com", "Ana", "", "crm-1", "unsubscribed", "beta,vip", "Europe/Berlin", "de", "2024-05-01T08:00:00Z",
            "2024-05-02T08:00:00Z", "12", "pro",
        ])
        #expect(changes.attributes == ["orders": .integer(12), "plan": .string("pro")])
        #expect(changes.status == .unsubscribed)
        #expect(changes.tags == ["beta", "vip"])
    }

    @Test func aMappingOverridesTheGuess() throws {
        let options = ImportOptions(mapping: ["Mail": .ignore, "Work Mail": .email, "Notes": .ignore, "Kunde": .externalID])
        let columns = try ImportColumns(header: ["Mail", "Work Mail", "Notes", "Kunde"], options: options)
        #expect(columns.targets == [.ignore, .email, .ignore, .externalID])
    }

    @Test func twoColumnsCannotFillOneTarget() {
        for header in [["email", "E-Mail"], ["email", "Plan", "attributes.plan"], ["email", "First Name", "firstname"]] {
            let error = #expect(throws: ValidationError.self) { try ImportColumns(header: header, options: ImportOptions()) }
            #expect(error?.param == "mapping")
        }
        let mapped = #expect(throws: ValidationError.self) {
            try ImportColumns(header: ["email", "Kunde"], options: ImportOptions(mapping: ["Kunde": .email]))
        }
        #expect(mapped?.message.contains("Kunde") == true)
        // Ignored columns may be many.
        #expect(throws: Never.self) { try ImportColumns(header: ["email", "a", "b"], options: ImportOptions(mapping: ["a": .ignore, "b": .ignore])) }
    }

    @Test func aFileNeedsAnEmailColumnAndTheMappingsColumnsMustExist() {
        let missing = #expect(throws: ValidationError.self) { try ImportColumns(header: ["name", "phone"], options: ImportOptions()) }
        #expect(missing?.param == "mapping")
        let unknown = #expect(throws: ValidationError.self) {
            try ImportColumns(header: ["email"], options: ImportOptions(mapping: ["Nope": .firstName]))
        }
        #expect(unknown?.message.contains("Nope") == true)
    }

    @Test func aRowBecomesChanges() throws {
        let columns = try ImportColumns(
            header: ["E-Mail", "First Name", "Tags", "Orders", "VIP", "Since", "Score", "Status", "Notes"],
            options: ImportOptions(attributeTypes: ["orders": .number, "vip": .boolean, "since": .date, "score": .number])
        )
        let changes = try columns.changes(for: [" Ana@Bücher.Example ", " Ana ", "vip; beta|vip,", "12", "yes", "2024-05-01T10:00:00+02:00", "4.5", "Unsubscribed", "likes \"quotes\""])
        #expect(changes.email?.address == "Ana@xn--bcher-kva.example")
        #expect(changes.firstName == "Ana")
        #expect(changes.tags == ["beta", "vip"])
        #expect(changes.attributes == [
            "orders": .integer(12), "vip": .bool(true), "since": .date("2024-05-01T08:00:00Z"), "score": .number(4.5), "notes": .string("likes \"quotes\""),
        ])
        #expect(changes.status == .unsubscribed)

        // Empty cells change nothing.
        let sparse = try columns.changes(for: ["bob@example.com", "", "", "", "", "", "", "", ""])
        #expect(sparse.firstName == nil)
        #expect(sparse.tags == nil)
        #expect(sparse.attributes.isEmpty)
        #expect(sparse.status == nil)
    }

    @Test(arguments: [
        (3, "many", "Orders"), (4, "perhaps", "VIP"), (5, "2024-02-30", "Since"), (5, "last week", "Since"), (2, "not-an-email", "E-Mail"),
        (6, "gone", "Status"), (1, "bad\u{7}name", "First Name"), (7, "Mars/Base", "TZ"),
    ])
    func aBadCellNamesItsColumn(index: Int, cell: String, column: String) throws {
        let columns = try ImportColumns(
            header: ["First Name", "E-Mail", "Orders", "VIP", "Since", "Status", "TZ"],
            options: ImportOptions(attributeTypes: ["orders": .number, "vip": .boolean, "since": .date])
        )
        var row = ["Ana", "ana@example.com", "1", "no", "2024-05-01", "active", "Europe/Berlin"]
        #expect(throws: Never.self) { try columns.changes(for: row) }
        row[index - 1] = cell
        let error = #expect(throws: ValidationError.self) { try columns.changes(for: row) }
        #expect(error?.param == column)
    }

    @Test func raggedRowsAndRowsWithoutAnEmailAreRefused() throws {
        let columns = try ImportColumns(header: ["email", "first_name"], options: ImportOptions())
        for row in [["ana@example.com"], ["ana@example.com", "Ana", "extra"]] {
            let error = #expect(throws: ValidationError.self) { try columns.changes(for: row) }
            #expect(error?.param == "row")
            #expect(error?.message.contains("\(row.count) fields") == true)
        }
        let error = #expect(throws: ValidationError.self) { try columns.changes(for: ["", "Ana"]) }
        #expect(error?.param == "email")
    }

    @Test func attributeStringsFromCellsAreBounded() throws {
        let columns = try ImportColumns(header: ["email", "Notes"], options: ImportOptions())
        let error = #expect(throws: ValidationError.self) { try columns.changes(for: ["ana@example.com", String(repeating: "n", count: 2049)]) }
        #expect(error?.param == "Notes")
    }

    // MARK: - JSON values

    @Test func jsonValuesKeepTheirTypes() throws {
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"b": true, "i": 1, "n": 1.5, "s": "x", "z": null, "a": [0, false]}"#.utf8))
        #expect(decoded == .object(["b": .bool(true), "i": .integer(1), "n": .number(1.5), "s": .string("x"), "z": .null, "a": .array([.integer(0), .bool(false)])]))
        #expect(decoded.jsonText == #"{"a":[0,false],"b":true,"i":1,"n":1.5,"s":"x","z":null}"#)
    }
}
