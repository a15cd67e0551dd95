import Foundation
import SmartMailsCore
import SmartMailsStore
import SmartMailsTestSupport
import Testing

/// Contacts, lists and segments on both engines: what an upsert does, what erasure leaves, that a workspace sees
/// only its own contacts, and that every segment condition selects exactly the contacts it describes.
@Suite struct ContactStoreTests {
    static let base = RFC3339.timestamp("2024-03-01T00:00:00Z")!

    /// `base` plus some days.
    static func day(_ days: Double) -> Timestamp { base.adding(milliseconds: Int64(days * 86_400_000)) }

    static func changes(
        _ email: String, first: String? = nil, last: String? = nil, externalID: String? = nil, tags: [String]? = nil,
        timeZone: String? = nil, locale: String? = nil, status: ContactStatus? = nil, attributes: [String: AttributeValue] = [:]
    ) -> ContactChanges {
        var changes = ContactChanges()
        changes.email = try! ContactEmail.parse(email)
        changes.firstName = first
        changes.lastName = last
        changes.externalID = externalID
        changes.tags = tags
        changes.timeZone = timeZone
        changes.locale = locale
        changes.status = status
        changes.attributes = attributes.mapValues { $0 }
        return changes
    }

    static func upsert(
        _ store: SQLStore, _ workspaceID: String, _ items: [ContactUpsert], policy: ConflictPolicy = .update, listID: String? = nil, now: Timestamp = base
    ) async throws -> [UpsertOutcome] {
        try await store.upsertContacts(workspaceID: workspaceID, items, policy: policy, listID: listID, source: "test", now: now)
    }

    /// One contact by e-mail, created or updated; the contact as it ends.
    @discardableResult
    static func put(_ store: SQLStore, _ workspaceID: String, _ changes: ContactChanges, now: Timestamp = base) async throws -> Contact {
        let outcome = try await upsert(store, workspaceID, [ContactUpsert(match: .email, changes: changes)], now: now)
        return try #require(outcome.first?.contact, "\(outcome)")
    }

    static func makeList(_ store: SQLStore, _ workspaceID: String, name: String) async throws -> String {
        let list = ContactList(id: ResourceID.make(prefix: ContactList.idPrefix), workspaceID: workspaceID, name: name, description: nil, createdAt: base, updatedAt: base)
        try await store.insertList(list, audit: audit(workspaceID, .listCreated, type: "list", target: list.id))
        return list.id
    }

    static func audit(_ workspaceID: String, _ action: AuditAction, type: String = "contact", target: String) -> AuditEvent {
        AuditEvent(workspaceID: workspaceID, occurredAt: base, actor: "system", action: action, targetType: type, targetID: target, ip: nil)
    }

    static func failure(_ outcome: UpsertOutcome?) -> (code: String, param: String?)? {
        guard case .failed(let code, let param, _)? = outcome else { return nil }
        return (code, param)
    }

    static func all(_ store: SQLStore, _ workspaceID: String, _ filter: ContactFilter = ContactFilter(), now: Timestamp = base) async throws -> [Contact] {
        try await store.contacts(workspaceID: workspaceID, filter: filter, limit: 1000, afterID: nil, now: now)
    }

    // MARK: - Upserts

    @Test(arguments: TestDatabase.all)
    func upsertByEmailCreatesThenLeavesUnchangedThenUpdates(database: TestDatabase) async throws {
        try await database.withStore { store in
            let ws = try await APIKeyStoreTests.makeWorkspace(store, slug: "w").id
            let first = try await Self.upsert(store, ws, [ContactUpsert(match: .email, changes: Self.changes("ana@example.com", first: "Ana", attributes: ["plan": .string("pro")]))])
            guard case .created(let created)? = first.first else { Issue.record("\(first)"); return }
            #expect(created.createdAt == Self.base)
            #expect(created.updatedAt == Self.base)
            #expect(try await store.contact(workspaceID: ws, id: created.id) == created)

            // The same again, later, and by the address in another case: nothing changes, not even updated_at.
            let again = try await Self.upsert(store, ws, [ContactUpsert(match: .email, changes: Self.changes("ana@EXAMPLE.com", first: "Ana", attributes: ["plan": .string("pro")]))], now: Self.day(1))
            #expect(again == [.unchanged(created)])
            #expect(try await store.contact(workspaceID: ws, id: created.id)?.updatedAt == Self.base)

            let changed = try await Self.upsert(store, ws, [ContactUpsert(match: .email, changes: Self.changes("ana@EXAMPLE.com", last: "Silva"))], now: Self.day(2))
            guard case .updated(let updated)? = changed.first else { Issue.record("\(changed)"); return }
            #expect(updated.id == created.id)
            #expect(updated.firstName == "Ana")
            #expect(updated.lastName == "Silva")
            #expect(updated.updatedAt == Self.day(2))
            #expect(updated.createdAt == Self.base)
            let stored = try #require(try await store.contact(workspaceID: ws, id: created.id))
            #expect(stored == updated)
            #expect(try await store.countContacts(workspaceID: ws, filter: ContactFilter(), now: Self.base) == 1)

            let events = try await store.contactEvents(workspaceID: ws, contactID: created.id, limit: 10)
            #expect(events.map(\.kind) == ["updated", "created"])
            #expect(events.first?.occurredAt == Self.day(2))
            #expect(events.first?.detail.contains("last_name") == true)
            #expect(events.first?.detail.contains("test") == true)
            #expect(try await store.contactEvents(workspaceID: ws, contactID: created.id, limit: 1).count == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func upsertByExternalIDFollowsTheContactToItsNewAddress(database: TestDatabase) async throws {
        try await database.withStore { store in
            let ws = try await APIKeyStoreTests.makeWorkspace(store, slug: "w").id
            let original = try await Self.put(store, ws, Self.changes("old@example.com", externalID: "crm-1"))
            let outcome = try await Self.upsert(store, ws, [ContactUpsert(match: .externalID, changes: Self.changes("new@example.com", first: "Ana", externalID: "crm-1"))], now: Self.day(1))
            guard case .updated(let moved)? = outcome.first else { Issue.record("\(outcome)"); return }
            #expect(moved.id == original.id)
            #expect(moved.email.address == "new@example.com")
            #expect(try await Self.all(store, ws).map(\.email.address) == ["new@example.com"])
            // The old address is free again, and the external id finds the contact with nothing to change.
            let unchanged = try await Self.upsert(store, ws, [ContactUpsert(match: .externalID, changes: Self.changes("new@example.com", externalID: "crm-1"))], now: Self.day(2))
            #expect(unchanged == [.unchanged(moved)])
            let fresh = try await Self.upsert(store, ws, [ContactUpsert(match: .externalID, changes: Self.changes("old@example.com", externalID: "crm-2"))])
            guard case .created(let other)? = fresh.first else { Issue.record("\(fresh)"); return }
            #expect(other.id != original.id)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aBatchWritesItsGoodItemsAndReportsEachBadOneInPlace(database: TestDatabase) async throws {
        try await database.withStore { store in
            let ws = try await APIKeyStoreTests.makeWorkspace(store, slug: "w").id
            let existing = try await Self.put(store, ws, Self.changes("taken@example.com", first: "Taken", externalID: "crm-t"))
            let bounced = try await Self.put(store, ws, Self.changes("bounced@example.com", status: .bounced))
            var tooMany = Self.changes("two@example.com")
            for index in 0..<101 { tooMany.attributes["k\(index)"] = .integer(Int64(index)) }
            var noEmail = ContactChanges()
            noEmail.firstName = "Nobody"

            let outcomes = try await Self.upsert(store, ws, [
                ContactUpsert(match: .email, changes: Self.changes("one@example.com", first: "One")),
                ContactUpsert(match: .email, changes: noEmail),
                ContactUpsert(match: .externalID, changes: Self.changes("ONE@example.com", externalID: "crm-t")),
                ContactUpsert(match: .email, changes: tooMany),
                ContactUpsert(match: .email, changes: Self.changes("three@example.com", first: "Three")),
                ContactUpsert(match: .id(ResourceID.make(prefix: Contact.idPrefix)), changes: Self.changes("four@example.com")),
                ContactUpsert(match: .email, changes: Self.changes("bounced@example.com", status: .active)),
            ], now: Self.day(1))
            #expect(outcomes.count == 7)
            guard case .created(let one) = outcomes[0], case .created(let three) = outcomes[4] else { Issue.record("\(outcomes)"); return }
            #expect(Self.failure(outcomes[1])?.code == "validation_failed")
            #expect(Self.failure(outcomes[1])?.param == "email")
            #expect(Self.failure(outcomes[2])?.code == "email_taken")
            #expect(Self.failure(outcomes[3])?.code == "validation_failed")
            #expect(Self.failure(outcomes[3])?.param == "attributes")
            #expect(Self.failure(outcomes[5])?.code == "not_found")
            #expect(Self.failure(outcomes[6])?.code == "status_locked")

            #expect(try await store.contact(workspaceID: ws, id: one.id)?.firstName == "One")
            #expect(try await store.contact(workspaceID: ws, id: three.id)?.firstName == "Three")
            #expect(try await store.contact(workspaceID: ws, id: existing.id) == existing)
            #expect(try await store.contact(workspaceID: ws, id: bounced.id)?.status == .bounced)
            #expect(Set(try await Self.all(store, ws).map(\.email.address)) == ["taken@example.com", "bounced@example.com", "one@example.com", "three@example.com"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func duplicatesInABatchAreAppliedOnce(database: TestDatabase) async throws {
        try await database.withStore { store in
            let ws = try await APIKeyStoreTests.makeWorkspace(store, slug: "w").id
            let outcomes = try await Self.upsert(store, ws, [
                ContactUpsert(match: .email, changes: Self.changes("dup@example.com", first: "First")),
                ContactUpsert(match: .email, changes: Self.changes("DUP@example.com", first: "Second")),
                ContactUpsert(match: .externalID, changes: Self.changes("x1@example.com", externalID: "x-1")),
                ContactUpsert(match: .externalID, changes: Self.changes("x2@example.com", externalID: "x-1")),
            ])
            guard case .created(let dup) = outcomes[0], case .created = outcomes[2] else { Issue.record("\(outcomes)"); return }
            #expect(Self.failure(outcomes[1])?.code == "duplicate_in_batch")
            #expect(Self.failure(outcomes[1])?.param == "email")
            #expect(Self.failure(outcomes[3])?.code == "duplicate_in_batch")
            #expect(Self.failure(outcomes[3])?.param == "external_id")
            #expect(try await store.contact(workspaceID: ws, id: dup.id)?.firstName == "First")
            #expect(Set(try await Self.all(store, ws).map(\.email.address)) == ["dup@example.com", "x1@example.com"])
            #expect(try await store.contactEvents(workspaceID: ws, contactID: dup.id, limit: 10).map(\.kind) == ["created"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func anAddressOrExternalIDOfAnotherContactIsRefused(database: TestDatabase) async throws {
        try await database.withStore { store in
            let ws = try await APIKeyStoreTests.makeWorkspace(store, slug: "w").id
            let ana = try await Self.put(store, ws, Self.changes("ana@example.com", externalID: "e-1"))
            let bob = try await Self.put(store, ws, Self.changes("bob@example.com", externalID: "e-2"))

            let byID = try await Self.upsert(store, ws, [ContactUpsert(match: .id(bob.id), changes: Self.changes("ANA@example.com"))])
            #expect(Self.failure(byID.first)?.code == "email_taken")
            let byExternalID = try await Self.upsert(store, ws, [ContactUpsert(match: .externalID, changes: Self.changes("Ana@Example.com", externalID: "e-2"))])
            #expect(Self.failure(byExternalID.first)?.code == "email_taken")
            let taken = try await Self.upsert(store, ws, [ContactUpsert(match: .email, changes: Self.changes("bob@example.com", externalID: "e-1"))])
            #expect(Self.failure(taken.first)?.code == "external_id_taken")
            #expect(Self.failure(taken.first)?.param == "external_id")

            #expect(try await store.contact(workspaceID: ws, id: ana.id) == ana)
            #expect(try await store.contact(workspaceID: ws, id: bob.id) == bob)

            // Moving the address away first makes it free within the same batch.
            let swap = try await Self.upsert(store, ws, [
                ContactUpsert(match: .id(ana.id), changes: Self.changes("ana.old@example.com")),
                ContactUpsert(match: .id(bob.id), changes: Self.changes("ana@example.com")),
            ], now: Self.day(1))
            #expect(swap.allSatisfy { if case .updated = $0 { true } else { false } }, "\(swap)")
            #expect(try await store.contact(workspaceID: ws, id: bob.id)?.email.address == "ana@example.com")
        }
    }

    @Test(arguments: TestDatabase.all)
    func createOnlyRefusesAnExistingContact(database: TestDatabase) async throws {
        try await database.withStore { store in
            let ws = try await APIKeyStoreTests.makeWorkspace(store, slug: "w").id
            let ana = try await Self.put(store, ws, Self.changes("ana@example.com", first: "Ana"))
            let outcomes = try await Self.upsert(store, ws, [
                ContactUpsert(match: .email, changes: Self.changes("Ana@example.com", first: "Other"), createOnly: true),
                ContactUpsert(match: .email, changes: Self.changes("bob@example.com"), createOnly: true),
            ], now: Self.day(1))
            #expect(Self.failure(outcomes[0])?.code == "contact_exists")
            guard case .created = outcomes[1] else { Issue.record("\(outcomes)"); return }
            #expect(try await store.contact(workspaceID: ws, id: ana.id) == ana)
        }
    }

    @Test(arguments: TestDatabase.all)
    func fillEmptyAndSkipPolicies(database: TestDatabase) async throws {
        try await database.withStore { store in
            let ws = try await APIKeyStoreTests.makeWorkspace(store, slug: "w").id
            let ana = try await Self.put(store, ws, Self.changes("ana@example.com", first: "Ana", attributes: ["plan": .string("pro")]))
            let incoming = Self.changes("ana@example.com", first: "X", last: "Y", status: .unsubscribed, attributes: ["plan": .string("free"), "orders": .integer(3)])

            let skipped = try await Self.upsert(store, ws, [
                ContactUpsert(match: .email, changes: incoming), ContactUpsert(match: .email, changes: Self.changes("new1@example.com", first: "New")),
            ], policy: .skip, now: Self.day(1))
            #expect(skipped[0] == .unchanged(ana))
            guard case .created(let new1) = skipped[1] else { Issue.record("\(skipped)"); return }
            #expect(new1.firstName == "New")
            #expect(try await store.contact(workspaceID: ws, id: ana.id) == ana)

            let filled = try await Self.upsert(store, ws, [
                ContactUpsert(match: .email, changes: incoming), ContactUpsert(match: .email, changes: Self.changes("new2@example.com", first: "New")),
            ], policy: .fillEmpty, now: Self.day(2))
            guard case .updated(let after) = filled[0], case .created = filled[1] else { Issue.record("\(filled)"); return }
            let stored = try #require(try await store.contact(workspaceID: ws, id: ana.id))
            #expect(stored == after)
            #expect(stored.firstName == "Ana")
            #expect(stored.lastName == "Y")
            #expect(stored.status == .active)
            #expect(stored.attributes == ContactAttributes(["plan": .string("pro"), "orders": .integer(3)]))
            #expect(stored.updatedAt == Self.day(2))

            // Filling what is full already changes nothing.
            let again = try await Self.upsert(store, ws, [ContactUpsert(match: .email, changes: incoming)], policy: .fillEmpty, now: Self.day(3))
            #expect(again == [.unchanged(stored)])
        }
    }

    @Test(arguments: TestDatabase.all)
    func upsertsAddToAListWithoutMovingExistingMembers(database: TestDatabase) async throws {
        try await database.withStore { store in
            let ws = try await APIKeyStoreTests.makeWorkspace(store, slug: "w").id
            let list = try await Self.makeList(store, ws, name: "News")
            let ana = try await Self.put(store, ws, Self.changes("ana@example.com"))
            #expect(try await store.setMembership(workspaceID: ws, listID: list, contactIDs: [ana.id], state: .unsubscribed, source: "test", at: Self.base) == 1)
            var noEmail = ContactChanges()
            noEmail.firstName = "x"
            let outcomes = try await Self.upsert(store, ws, [
                ContactUpsert(match: .email, changes: Self.changes("ana@example.com")),
                ContactUpsert(match: .email, changes: Self.changes("bob@example.com")),
                ContactUpsert(match: .email, changes: noEmail),
            ], listID: list, now: Self.day(1))
            let bob = try #require(outcomes[1].contact)
            #expect(try await store.memberships(workspaceID: ws, contactID: ana.id).map(\.state) == [.unsubscribed])
            #expect(try await store.memberships(workspaceID: ws, contactID: bob.id).map(\.state) == [.subscribed])
            #expect(try await store.list(workspaceID: ws, id: list)?.counts == ListCounts(subscribed: 1, unsubscribed: 1, pending: 0))
        }
    }

    // MARK: - Erasure

    @Test(arguments: TestDatabase.all)
    func erasureRemovesTheContactItsMembershipsAndItsHistory(database: TestDatabase) async throws {
        try await database.withStore { store in
            let ws = try await APIKeyStoreTests.makeWorkspace(store, slug: "w").id
            let list = try await Self.makeList(store, ws, name: "News")
            let ana = try await Self.put(store, ws, Self.changes("ana@example.com", first: "Ana", tags: ["vip"]))
            let bob = try await Self.put(store, ws, Self.changes("bob@example.com"))
            _ = try await store.setMembership(workspaceID: ws, listID: list, contactIDs: [ana.id, bob.id], state: .subscribed, source: "test", at: Self.day(1))
            try await Self.put(store, ws, Self.changes("ana@example.com", last: "Silva"), now: Self.day(2))

            let erased = try await store.eraseContact(workspaceID: ws, id: ana.id, at: Self.day(3), audit: Self.audit(ws, .contactErased, target: ana.id))
            #expect(erased?.id == ana.id)
            #expect(erased?.lastName == "Silva")
            #expect(try await store.contact(workspaceID: ws, id: ana.id) == nil)
            #expect(try await store.memberships(workspaceID: ws, contactID: ana.id).isEmpty)
            #expect(try await store.contactEvents(workspaceID: ws, contactID: ana.id, limit: 10).isEmpty)
            #expect(try await store.list(workspaceID: ws, id: list)?.counts == ListCounts(subscribed: 1))
            #expect(try await Self.all(store, ws).map(\.id) == [bob.id])
            #expect(try await store.contactEvents(workspaceID: ws, contactID: bob.id, limit: 10).count == 2)
            #expect(try await store.eraseContact(workspaceID: ws, id: ana.id, at: Self.day(3), audit: Self.audit(ws, .contactErased, target: ana.id)) == nil)
        }
    }

    @Test(arguments: TestDatabase.all)
    func anErasedSuppressedAddressComesBackSuppressed(database: TestDatabase) async throws {
        try await database.withStore { store in
            let ws = try await APIKeyStoreTests.makeWorkspace(store, slug: "w").id
            let other = try await APIKeyStoreTests.makeWorkspace(store, slug: "o").id
            for status in ContactStatus.allCases {
                let address = "\(status.rawValue)@example.com"
                let contact = try await Self.put(store, ws, Self.changes(address, first: "Was", status: status))
                _ = try await store.eraseContact(workspaceID: ws, id: contact.id, at: Self.day(1), audit: Self.audit(ws, .contactErased, target: contact.id))
                // Re-created later, in another case, saying it is active: a suppression stays, an active one is active.
                let outcome = try await Self.upsert(store, ws, [ContactUpsert(match: .email, changes: Self.changes(address.uppercased(), status: .active))], now: Self.day(2))
                guard case .created(let back)? = outcome.first else { Issue.record("\(status): \(outcome)"); continue }
                #expect(back.id != contact.id)
                #expect(back.status == status, "\(status)")
                #expect(back.firstName == nil)
                #expect(try await store.contact(workspaceID: ws, id: back.id)?.status == status)
                // The suppression belongs to its workspace.
                let elsewhere = try await Self.put(store, other, Self.changes(address, status: .active))
                #expect(elsewhere.status == .active)
            }
        }
    }

    // MARK: - Workspaces

    @Test(arguments: TestDatabase.all)
    func aWorkspaceNeverSeesOrTouchesAnothersContacts(database: TestDatabase) async throws {
        try await database.withStore { store in
            let ws = try await APIKeyStoreTests.makeWorkspace(store, slug: "w").id
            let other = try await APIKeyStoreTests.makeWorkspace(store, slug: "o").id
            let mine = try await Self.put(store, ws, Self.changes("shared@example.com", first: "Mine"))
            let theirs = try await Self.put(store, other, Self.changes("shared@example.com", first: "Theirs", externalID: "e-1", tags: ["vip"], attributes: ["plan": .string("pro")]))
            #expect(mine.id != theirs.id)
            let theirList = try await Self.makeList(store, other, name: "Theirs")
            let myList = try await Self.makeList(store, ws, name: "Mine")
            _ = try await store.setMembership(workspaceID: other, listID: theirList, contactIDs: [theirs.id], state: .subscribed, source: "test", at: Self.base)

            #expect(try await Self.all(store, ws).map(\.id) == [mine.id])
            #expect(try await store.contact(workspaceID: ws, id: theirs.id) == nil)
            #expect(try await store.countContacts(workspaceID: ws, filter: ContactFilter(tag: "vip"), now: Self.base) == 0)
            #expect(try await Self.all(store, ws, ContactFilter(listID: theirList)).isEmpty)
            let rule = try SegmentRuleParser.parse(.object(["field": .string("email"), "op": .string("eq"), "value": .string("shared@example.com")]))
            #expect(try await Self.all(store, ws, ContactFilter(rule: rule)).map(\.id) == [mine.id])
            #expect(try await store.attributeKeys(workspaceID: ws, filter: ContactFilter(), now: Self.base).isEmpty)

            let byID = try await Self.upsert(store, ws, [ContactUpsert(match: .id(theirs.id), changes: Self.changes("shared@example.com", first: "Hijacked"))])
            #expect(Self.failure(byID.first)?.code == "not_found")
            let byExternalID = try await Self.upsert(store, ws, [ContactUpsert(match: .externalID, changes: Self.changes("mine2@example.com", externalID: "e-1"))])
            guard case .created(let created)? = byExternalID.first else { Issue.record("\(byExternalID)"); return }
            #expect(created.workspaceID == ws)
            #expect(try await store.eraseContact(workspaceID: ws, id: theirs.id, at: Self.base, audit: Self.audit(ws, .contactErased, target: theirs.id)) == nil)

            #expect(try await store.setMembership(workspaceID: ws, listID: myList, contactIDs: [theirs.id], state: .subscribed, source: "test", at: Self.base) == 0)
            #expect(try await store.setMembership(workspaceID: ws, listID: myList, matching: rule, state: .subscribed, source: "test", at: Self.base) == 1)
            #expect(try await store.list(workspaceID: ws, id: myList)?.counts == ListCounts(subscribed: 1))
            #expect(try await store.removeMembers(workspaceID: ws, listID: theirList, contactIDs: [theirs.id], source: "test", at: Self.base) == 0)
            #expect(try await store.list(workspaceID: ws, id: theirList) == nil)
            #expect(try await store.memberships(workspaceID: ws, contactID: theirs.id).isEmpty)
            #expect(try await store.contactEvents(workspaceID: ws, contactID: theirs.id, limit: 10).isEmpty)
            #expect(try await store.contactIDs(workspaceID: ws, emailKeys: ["shared@example.com"]) == ["shared@example.com": mine.id])

            // Theirs is as it was.
            #expect(try await store.contact(workspaceID: other, id: theirs.id) == theirs)
            #expect(try await store.list(workspaceID: other, id: theirList)?.counts == ListCounts(subscribed: 1))
        }
    }

    // MARK: - Lists

    @Test(arguments: TestDatabase.all)
    func membershipsChangeByIDsAndBySegmentAndAreCountedByState(database: TestDatabase) async throws {
        try await database.withStore { store in
            let ws = try await APIKeyStoreTests.makeWorkspace(store, slug: "w").id
            let news = try await Self.makeList(store, ws, name: "News")
            let alerts = try await Self.makeList(store, ws, name: "Alerts")
            let a = try await Self.put(store, ws, Self.changes("a@example.com", tags: ["beta"]))
            let b = try await Self.put(store, ws, Self.changes("b@example.com", tags: ["beta"]))
            let c = try await Self.put(store, ws, Self.changes("c@example.com"))

            #expect(try await store.setMembership(workspaceID: ws, listID: news, contactIDs: [a.id, b.id], state: .subscribed, source: "test", at: Self.day(1)) == 2)
            #expect(try await store.setMembership(workspaceID: ws, listID: news, contactIDs: [a.id, b.id], state: .subscribed, source: "test", at: Self.day(2)) == 0)
            #expect(try await store.setMembership(workspaceID: ws, listID: news, contactIDs: [a.id], state: .unsubscribed, source: "test", at: Self.day(3)) == 1)
            #expect(try await store.list(workspaceID: ws, id: news)?.counts == ListCounts(subscribed: 1, unsubscribed: 1, pending: 0))
            let unknown = ResourceID.make(prefix: Contact.idPrefix)
            #expect(try await store.setMembership(workspaceID: ws, listID: news, contactIDs: [a.id, a.id, c.id, unknown], state: .pending, source: "test", at: Self.day(4)) == 2)
            #expect(try await store.list(workspaceID: ws, id: news)?.counts == ListCounts(subscribed: 1, unsubscribed: 0, pending: 2))
            #expect(try await store.lists(workspaceID: ws, limit: 10, afterID: nil).map(\.counts.total).sorted() == [0, 3])

            let rule = try SegmentRuleParser.parse(.object(["field": .string("tags"), "op": .string("contains"), "value": .string("beta")]))
            #expect(try await store.setMembership(workspaceID: ws, listID: alerts, matching: rule, state: .subscribed, source: "test", at: Self.day(5)) == 2)
            #expect(try await store.setMembership(workspaceID: ws, listID: alerts, matching: rule, state: .subscribed, source: "test", at: Self.day(6)) == 0)
            #expect(try await store.setMembership(workspaceID: ws, listID: alerts, matching: rule, state: .pending, source: "test", at: Self.day(7)) == 2)
            #expect(try await store.list(workspaceID: ws, id: alerts)?.counts == ListCounts(pending: 2))

            let memberships = try await store.memberships(workspaceID: ws, contactID: a.id)
            #expect(memberships.map(\.listName) == ["Alerts", "News"])
            #expect(memberships.map(\.listID) == [alerts, news])
            #expect(memberships.map(\.state) == [.pending, .pending])
            #expect(memberships.map(\.updatedAt) == [Self.day(7), Self.day(4)])
            #expect(try await store.memberships(workspaceID: ws, contactID: c.id).map(\.listName) == ["News"])

            #expect(try await store.removeMembers(workspaceID: ws, listID: news, contactIDs: [a.id, unknown], source: "test", at: Self.day(8)) == 1)
            #expect(try await store.removeMembers(workspaceID: ws, listID: news, contactIDs: [a.id], source: "test", at: Self.day(9)) == 0)
            #expect(try await store.list(workspaceID: ws, id: news)?.counts == ListCounts(subscribed: 1, pending: 1))
            #expect(try await store.memberships(workspaceID: ws, contactID: a.id).map(\.listName) == ["Alerts"])

            let history = try await store.contactEvents(workspaceID: ws, contactID: a.id, limit: 20)
            #expect(history.map(\.kind) == ["list_removed", "list_pending", "list_subscribed", "list_pending", "list_unsubscribed", "list_subscribed", "created"])
            #expect(history.first?.detail.contains(news) == true)
            #expect(history.first?.occurredAt == Self.day(8))

            // Deleting a list leaves its contacts.
            #expect(try await store.deleteList(workspaceID: ws, id: news, audit: Self.audit(ws, .listDeleted, type: "list", target: news)))
            #expect(try await store.memberships(workspaceID: ws, contactID: c.id).isEmpty)
            #expect(try await Self.all(store, ws).count == 3)
        }
    }

    // MARK: - Segments and filters over a seeded audience

    /// Twelve contacts with every kind of field, attributes of each type (and some of the wrong one), tags, two
    /// lists with members in each state, created a day apart from `base`; `bob` was updated on day 11.5.
    struct Audience {
        let workspaceID: String
        let listA: String
        let listB: String
        let now = ContactStoreTests.day(12)
        let everyone: Set<String> = ["ana", "bob", "carla", "dan", "eve", "fay", "gus", "hal", "ivy", "jon", "leeax", "lee_x"]

        static func seed(_ store: SQLStore) async throws -> Audience {
            let ws = try await APIKeyStoreTests.makeWorkspace(store, slug: "seg").id
            // Noise in another workspace that every rule would match if isolation failed.
            _ = try await ContactStoreTests.put(store, try await APIKeyStoreTests.makeWorkspace(store, slug: "noise").id, ContactStoreTests.changes(
                "ana.noise@example.com", first: "Ana", last: "Silva", externalID: "crm-1", tags: ["vip", "beta", "newsletter"], timeZone: "Europe/Berlin", locale: "de",
                attributes: ["plan": .string("pro"), "orders": .integer(12), "score": .number(4.5), "vip": .bool(true), "renewal": .date("2024-04-01")]
            ))
            typealias C = ContactStoreTests
            let rows: [ContactChanges] = [
                C.changes("ana@example.com", first: "Ana", last: "Silva", externalID: "crm-1", tags: ["beta", "vip"], timeZone: "Europe/Berlin", locale: "de",
                          attributes: ["plan": .string("pro"), "orders": .integer(12), "score": .number(4.5), "vip": .bool(true), "renewal": .date("2024-06-01")]),
                C.changes("bob@example.org", first: "Bob", externalID: "crm-2", tags: ["beta"], locale: "en",
                          attributes: ["plan": .string("free"), "orders": .integer(3), "score": .number(2.25), "vip": .bool(false), "renewal": .date("2024-03-05T10:00:00Z")]),
                C.changes("Carla@Example.com", first: "Carla", status: .unsubscribed, attributes: ["plan": .string("Pro Plus"), "orders": .string("12")]),
                C.changes("dan@shop.example", tags: ["vip"], status: .bounced, attributes: ["orders": .integer(40), "renewal": .date("2025-01-01")]),
                C.changes("eve@example.com", tags: ["newsletter"], status: .complained, attributes: ["vip": .string("true")]),
                C.changes("fay@example.net", first: "Fay", timeZone: "America/New_York", locale: "pt-BR"),
                C.changes("gus@example.com", attributes: ["orders": .integer(7), "score": .number(4.5), "plan": .string("enterprise"), "renewal": .string("soon")]),
                C.changes("hal@mail.example", tags: ["vip"], attributes: ["plan": .string("pro"), "renewal": .date("2024-04-15")]),
                C.changes("ivy@example.com", first: "Ivy", last: "Silva", externalID: "crm-9", attributes: ["score": .number(-1.5), "renewal": .string("2024-04-01 tentative")]),
                C.changes("jon@example.com", last: "Jones", attributes: ["vip": .bool(true), "orders": .integer(0)]),
                C.changes("leeax@example.com", tags: ["beta", "vip"], attributes: ["plan": .string("free")]),
                C.changes("lee_x@example.com", first: "Lee", attributes: ["plan": .string("100%")]),
            ]
            var ids: [String: String] = [:]
            for (index, changes) in rows.enumerated() {
                let contact = try await C.put(store, ws, changes, now: C.day(Double(index)))
                ids[Audience.name(contact)] = contact.id
            }
            try await C.put(store, ws, C.changes("bob@example.org", last: "Brown"), now: C.day(11.5))
            let listA = try await C.makeList(store, ws, name: "A")
            let listB = try await C.makeList(store, ws, name: "B")
            for (list, state, names) in [
                (listA, MembershipState.subscribed, ["ana", "hal"]), (listA, .pending, ["bob"]), (listA, .unsubscribed, ["jon"]),
                (listB, .subscribed, ["carla", "leeax"]), (listB, .unsubscribed, ["ana"]), (listB, .pending, ["hal"]),
            ] {
                _ = try await store.setMembership(workspaceID: ws, listID: list, contactIDs: names.map { ids[$0]! }, state: state, source: "test", at: C.day(12))
            }
            return Audience(workspaceID: ws, listA: listA, listB: listB)
        }

        static func name(_ contact: Contact) -> String { String(contact.email.key.prefix(while: { $0 != "@" })) }

        func names(_ store: SQLStore, _ filter: ContactFilter) async throws -> Set<String> {
            Set(try await store.contacts(workspaceID: workspaceID, filter: filter, limit: 1000, afterID: nil, now: now).map(Audience.name))
        }

        func names(_ store: SQLStore, rule: String) async throws -> Set<String> {
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(rule.utf8))
            return try await names(store, ContactFilter(rule: try SegmentRuleParser.parse(json)))
        }

        func everyoneBut(_ names: Set<String>) -> Set<String> { everyone.subtracting(names) }
    }

    @Test(arguments: TestDatabase.all)
    func everySegmentConditionSelectsExactlyItsContacts(database: TestDatabase) async throws {
        try await database.withStore { store in
            let audience = try await Audience.seed(store)
            let a = audience.listA, b = audience.listB
            let unused = ResourceID.make(prefix: ContactList.idPrefix)
            func c(_ field: String, _ op: String, _ value: String? = nil, _ extra: String = "") -> String {
                #"{"field": "\#(field)", "op": "\#(op)"\#(value.map { #", "value": \#($0)"# } ?? "")\#(extra)}"#
            }
            let cases: [(String, Set<String>)] = [
                // Text fields.
                (c("email", "eq", #""CARLA@example.com""#), ["carla"]),
                (c("email", "neq", #""ana@example.com""#), audience.everyoneBut(["ana"])),
                (c("email", "contains", #""EXAMPLE.COM""#), ["ana", "carla", "eve", "gus", "ivy", "jon", "leeax", "lee_x"]),
                (c("email", "starts_with", #""lee_""#), ["lee_x"]),
                (c("email", "starts_with", #""LEE""#), ["leeax", "lee_x"]),
                (c("email", "in", #"["Ana@Example.com", "nobody@example.com", "fay@example.net"]"#), ["ana", "fay"]),
                (c("email", "exists"), audience.everyone),
                (c("first_name", "eq", #""Ana""#), ["ana"]),
                (c("first_name", "neq", #""Ana""#), audience.everyoneBut(["ana"])),
                (c("first_name", "exists"), ["ana", "bob", "carla", "fay", "ivy", "lee_x"]),
                (c("last_name", "contains", #""SILV""#), ["ana", "ivy"]),
                (c("last_name", "starts_with", #""j""#), ["jon"]),
                (c("last_name", "exists"), ["ana", "bob", "ivy", "jon"]),
                (c("external_id", "in", #"["crm-1", "crm-9", "crm-404"]"#), ["ana", "ivy"]),
                (c("external_id", "exists"), ["ana", "bob", "ivy"]),
                (c("external_id", "eq", #""crm-2""#), ["bob"]),
                (c("time_zone", "eq", #""Europe/Berlin""#), ["ana"]),
                (c("time_zone", "contains", #""york""#), ["fay"]),
                (c("time_zone", "exists"), ["ana", "fay"]),
                (c("locale", "starts_with", #""pt""#), ["fay"]),
                (c("locale", "in", #"["de", "en"]"#), ["ana", "bob"]),
                (c("locale", "neq", #""de""#), audience.everyoneBut(["ana"])),
                // Status.
                (c("status", "eq", #""active""#), ["ana", "bob", "fay", "gus", "hal", "ivy", "jon", "leeax", "lee_x"]),
                (c("status", "neq", #""active""#), ["carla", "dan", "eve"]),
                (c("status", "in", #"["bounced", "complained"]"#), ["dan", "eve"]),
                // Times: contact N was created on day N; bob was updated on day 11.5; now is day 12.
                (c("created_at", "before", #""2024-03-03T00:00:00Z""#), ["ana", "bob"]),
                (c("created_at", "before", #""2024-03-03""#), ["ana", "bob"]),
                (c("created_at", "after", #""2024-03-10T00:00:00Z""#), ["leeax", "lee_x"]),
                (c("created_at", "after", #""2024-03-10T02:00:00+02:00""#), ["leeax", "lee_x"]),
                (c("created_at", "between", #"["2024-03-04", "2024-03-06T00:00:00Z"]"#), ["dan", "eve", "fay"]),
                (c("created_at", "within_last", "3"), ["jon", "leeax", "lee_x"]),
                (c("updated_at", "after", #""2024-03-12T00:00:00Z""#), ["bob"]),
                (c("updated_at", "within_last", "1"), ["bob", "lee_x"]),
                (c("updated_at", "before", #""2024-03-02T00:00:00Z""#), ["ana"]),
                // Tags.
                (c("tags", "contains", #""vip""#), ["ana", "dan", "hal", "leeax"]),
                (c("tags", "contains", #""VIP""#), []),
                (c("tags", "in", #"["newsletter", "beta"]"#), ["ana", "bob", "eve", "leeax"]),
                (c("tags", "exists"), ["ana", "bob", "dan", "eve", "hal", "leeax"]),
                // Lists.
                (c("lists", "contains", #""\#(a)""#), ["ana", "hal"]),
                (c("lists", "contains", #""\#(a)""#, #", "state": "any""#), ["ana", "bob", "hal", "jon"]),
                (c("lists", "contains", #""\#(a)""#, #", "state": "pending""#), ["bob"]),
                (c("lists", "contains", #""\#(a)""#, #", "state": "unsubscribed""#), ["jon"]),
                (c("lists", "in", #"["\#(a)", "\#(b)"]"#), ["ana", "hal", "carla", "leeax"]),
                (c("lists", "in", #"["\#(a)", "\#(b)"]"#, #", "state": "unsubscribed""#), ["ana", "jon"]),
                (c("lists", "contains", #""\#(unused)""#, #", "state": "any""#), []),
                // Attributes: strings.
                (c("attributes.plan", "eq", #""pro""#), ["ana", "hal"]),
                (c("attributes.plan", "neq", #""pro""#), audience.everyoneBut(["ana", "hal"])),
                (c("attributes.plan", "contains", #""PRO""#), ["ana", "carla", "hal"]),
                (c("attributes.plan", "contains", #""0%""#), ["lee_x"]),
                (c("attributes.plan", "contains", #""_""#), []),
                (c("attributes.plan", "starts_with", #""pro""#), ["ana", "carla", "hal"]),
                (c("attributes.plan", "in", #"["free", "enterprise"]"#), ["bob", "gus", "leeax"]),
                (c("attributes.plan", "exists"), ["ana", "bob", "carla", "gus", "hal", "leeax", "lee_x"]),
                (c("attributes.plan", "gt", "3"), []),
                // Attributes: numbers (carla's "12" is a string and never a number).
                (c("attributes.orders", "eq", "12"), ["ana"]),
                (c("attributes.orders", "eq", #""12""#), ["carla"]),
                (c("attributes.orders", "gt", "5"), ["ana", "dan", "gus"]),
                (c("attributes.orders", "gte", "7"), ["ana", "dan", "gus"]),
                (c("attributes.orders", "lt", "7"), ["bob", "jon"]),
                (c("attributes.orders", "lte", "3"), ["bob", "jon"]),
                (c("attributes.orders", "between", "[3, 12]"), ["ana", "bob", "gus"]),
                (c("attributes.orders", "in", "[0, 40, 99]"), ["dan", "jon"]),
                (c("attributes.orders", "exists"), ["ana", "bob", "carla", "dan", "gus", "jon"]),
                (c("attributes.orders", "before", #""2024-01-01""#), []),
                (c("attributes.score", "gt", "4.4"), ["ana", "gus"]),
                (c("attributes.score", "gte", "4"), ["ana", "gus"]),
                (c("attributes.score", "lt", "0"), ["ivy"]),
                (c("attributes.score", "eq", "4.5"), ["ana", "gus"]),
                (c("attributes.score", "between", "[-2, 2.5]"), ["bob", "ivy"]),
                // Attributes: booleans (eve's "true" is a string).
                (c("attributes.vip", "eq", "true"), ["ana", "jon"]),
                (c("attributes.vip", "eq", "false"), ["bob"]),
                (c("attributes.vip", "neq", "true"), audience.everyoneBut(["ana", "jon"])),
                (c("attributes.vip", "in", "[true]"), ["ana", "jon"]),
                (c("attributes.vip", "eq", #""true""#), ["eve"]),
                (c("attributes.vip", "gt", "0"), []),
                // Attributes: dates (gus's "soon" and ivy's "2024-04-01 tentative" are strings, not dates).
                (c("attributes.renewal", "before", #""2024-05-01""#), ["bob", "hal"]),
                (c("attributes.renewal", "lt", #""2024-05-01T00:00:00Z""#), ["bob", "hal"]),
                (c("attributes.renewal", "after", #""2024-05-01T00:00:00Z""#), ["ana", "dan"]),
                (c("attributes.renewal", "between", #"["2024-03-01", "2024-05-01"]"#), ["bob", "hal"]),
                (c("attributes.renewal", "gte", #""2024-06-01""#), ["ana", "dan"]),
                (c("attributes.renewal", "lte", #""2024-03-05T10:00:00Z""#), ["bob"]),
                (c("attributes.renewal", "lt", #""2024-03-05T12:00:00+02:00""#), []),
                (c("attributes.renewal", "within_last", "10"), ["bob"]),
                (c("attributes.renewal", "eq", #""2024-04-15""#), ["hal"]),
                (c("attributes.renewal", "eq", #""soon""#), ["gus"]),
                (c("attributes.renewal", "gt", "0"), []),
                (c("attributes.missing", "exists"), []),
                (c("attributes.missing", "neq", "1"), audience.everyone),
                // Combinations.
                (#"{"all": [\#(c("status", "eq", #""active""#)), \#(c("tags", "contains", #""vip""#))]}"#, ["ana", "hal", "leeax"]),
                (#"{"any": [\#(c("attributes.orders", "gt", "30")), \#(c("lists", "contains", #""\#(b)""#))]}"#, ["dan", "carla", "leeax"]),
                (#"{"not": \#(c("tags", "exists"))}"#, ["carla", "fay", "gus", "ivy", "jon", "lee_x"]),
                (#"{"not": \#(c("attributes.orders", "gt", "5"))}"#, audience.everyoneBut(["ana", "dan", "gus"])),
                (#"{"not": \#(c("attributes.plan", "eq", #""pro""#))}"#, audience.everyoneBut(["ana", "hal"])),
                (#"{"not": {"not": \#(c("tags", "contains", #""vip""#))}}"#, ["ana", "dan", "hal", "leeax"]),
                (#"{"any": [{"not": \#(c("attributes.vip", "exists"))}, \#(c("attributes.vip", "eq", "false"))]}"#, audience.everyoneBut(["ana", "eve", "jon"])),
                (#"{"all": [\#(c("tags", "contains", #""vip""#)), {"not": \#(c("lists", "contains", #""\#(a)""#, #", "state": "any""#))}]}"#, ["dan", "leeax"]),
                (#"""
                 {"all": [
                     {"any": [\#(c("email", "contains", #""example.com""#)), \#(c("locale", "exists"))]},
                     {"not": \#(c("status", "in", #"["bounced", "complained"]"#))},
                     {"not": \#(c("lists", "contains", #""\#(a)""#, #", "state": "any""#))}
                 ]}
                 """#, ["carla", "fay", "gus", "ivy", "leeax", "lee_x"]),
                (#"{"any": [{"all": [\#(c("status", "eq", #""unsubscribed""#)), \#(c("attributes.plan", "starts_with", #""pro""#))]}, \#(c("first_name", "eq", #""Lee""#))]}"#, ["carla", "lee_x"]),
            ]
            for (rule, expected) in cases {
                let found = try await audience.names(store, rule: rule)
                #expect(found == expected, "\(rule)")
            }
            let count = try await store.countContacts(
                workspaceID: audience.workspaceID,
                filter: ContactFilter(rule: try SegmentRuleParser.parse(.object(["field": .string("tags"), "op": .string("contains"), "value": .string("vip")]))),
                now: audience.now
            )
            #expect(count == 4)
        }
    }

    @Test(arguments: TestDatabase.all)
    func contactFiltersNarrowTheList(database: TestDatabase) async throws {
        try await database.withStore { store in
            let audience = try await Audience.seed(store)
            let ws = audience.workspaceID
            #expect(try await audience.names(store, ContactFilter()) == audience.everyone)
            #expect(try await audience.names(store, ContactFilter(emailPrefix: "lee_")) == ["lee_x"])
            #expect(try await audience.names(store, ContactFilter(emailPrefix: "LEE")) == ["leeax", "lee_x"])
            #expect(try await audience.names(store, ContactFilter(emailPrefix: "carla@ex")) == ["carla"])
            #expect(try await audience.names(store, ContactFilter(emailPrefix: "%")) == [])
            #expect(try await audience.names(store, ContactFilter(tag: "beta")) == ["ana", "bob", "leeax"])
            #expect(try await audience.names(store, ContactFilter(tag: "nope")) == [])
            #expect(try await audience.names(store, ContactFilter(status: .unsubscribed)) == ["carla"])
            #expect(try await audience.names(store, ContactFilter(status: .bounced)) == ["dan"])
            #expect(try await audience.names(store, ContactFilter(listID: audience.listA)) == ["ana", "bob", "hal", "jon"])
            #expect(try await audience.names(store, ContactFilter(listID: audience.listB)) == ["ana", "carla", "hal", "leeax"])
            #expect(try await audience.names(store, ContactFilter(updatedSince: Self.day(11))) == ["bob", "lee_x"])
            #expect(try await audience.names(store, ContactFilter(tag: "vip", status: .active)) == ["ana", "hal", "leeax"])
            let vip = try SegmentRuleParser.parse(.object(["field": .string("tags"), "op": .string("contains"), "value": .string("vip")]))
            #expect(try await audience.names(store, ContactFilter(listID: audience.listB, rule: vip)) == ["ana", "hal", "leeax"])
            #expect(try await store.countContacts(workspaceID: ws, filter: ContactFilter(tag: "vip"), now: audience.now) == 4)
            #expect(try await store.countContacts(workspaceID: ws, filter: ContactFilter(), now: audience.now) == 12)

            // Pages by id, each contact once.
            var seen: [String] = []
            var after: String?
            while true {
                let page = try await store.contacts(workspaceID: ws, filter: ContactFilter(), limit: 5, afterID: after, now: audience.now)
                seen += page.map(\.id)
                guard page.count == 5 else { break }
                after = page.last?.id
            }
            #expect(seen.count == 12)
            #expect(seen == seen.sorted())
            #expect(Set(seen).count == 12)

            #expect(try await store.attributeKeys(workspaceID: ws, filter: ContactFilter(), now: audience.now) == ["orders", "plan", "renewal", "score", "vip"])
            #expect(try await store.attributeKeys(workspaceID: ws, filter: ContactFilter(status: .complained), now: audience.now) == ["vip"])

            // Attributes read back with their types.
            let ana = try #require(try await Self.all(store, ws, ContactFilter(emailPrefix: "ana@")).first)
            #expect(ana.attributes == ContactAttributes(["plan": .string("pro"), "orders": .integer(12), "score": .number(4.5), "vip": .bool(true), "renewal": .date("2024-06-01")]))
            #expect(ana.tags == ["beta", "vip"])
            let carla = try #require(try await Self.all(store, ws, ContactFilter(emailPrefix: "carla")).first)
            #expect(carla.email.address == "Carla@example.com")
            #expect(carla.attributes["orders"] == .string("12"))

            // Lists with their counts by state.
            let lists = try await store.lists(workspaceID: ws, limit: 10, afterID: nil).sorted { $0.list.name < $1.list.name }
            #expect(lists.map(\.list.name) == ["A", "B"])
            #expect(lists.map(\.counts) == [ListCounts(subscribed: 2, unsubscribed: 1, pending: 1), ListCounts(subscribed: 2, unsubscribed: 1, pending: 1)])
        }
    }
}
