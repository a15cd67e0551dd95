import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SmartMailsApp
import SmartMailsCore
import SmartMailsServer
import SmartMailsTestSupport
import Testing

@Suite struct MessagesAPITests {
    static let order = #"{"from":{"email":"shop@example.com","name":"Example Shop"},"to":[{"email":"Ana@Example.ORG","name":"Ana"}],"subject":"Your order 17","text":"Thank you.\n.\nA line with only a dot, above.","html":"<p>Thank you.</p>","headers":{"X-Order":"17"},"tags":["order"],"metadata":{"order_id":"17"}}"#

    @Test(arguments: TestDatabase.all)
    func aMessageIsQueuedDurablySignedWithBothKeysAndWrittenToTheOutbox(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let domain = try await client.call(.post, "/v1/domains", key: app.adminKey, json: #"{"name":"example.com"}"#)
            let records = Dictionary(uniqueKeysWithValues: try #require(domain.json["dns_records"] as? [[String: Any]]).filter { $0["purpose"] as? String == "dkim" }.map {
                ($0["name"] as? String ?? "", $0["value"] as? String ?? "")
            })
            let accepted = try await client.call(.post, "/v1/messages", key: app.adminKey, json: Self.order)
            #expect(accepted.status == .accepted)
            // Signed with the domain's keys; its records are not checked yet, and the answer says so.
            #expect(accepted.json["status"] as? String == "queued")
            #expect((accepted.json["warnings"] as? [String])?.count == 1 && (accepted.json["warnings"] as? [String])?.first?.contains("is not verified") == true)
            let id = try #require(accepted.json["id"] as? String)
            let message = try await client.waitForMessage(id, key: app.adminKey, toReach: ["delivered"])
            #expect(message["message_id"] as? String == "<\(id)@example.com>")
            #expect(message["return_path"] as? String == "bounces+\(id)@bounces.example.com")
            #expect((message["to"] as? [[String: Any]])?.first?["email"] as? String == "Ana@example.org", "the domain is lower-cased, the local part kept")
            let events = try #require(message["events"] as? [[String: Any]]).compactMap { $0["type"] as? String }
            #expect(events == ["queued", "sending", "delivered"])

            let outbox = try await client.call(.get, "/v1/outbox", key: app.adminKey)
            #expect(outbox.json["transport"] as? String == "outbox")
            #expect((outbox.json["data"] as? [[String: Any]])?.first?["message_id"] as? String == id)
            let file = try await client.call(.get, "/v1/outbox/\(id)", key: app.adminKey)
            #expect(file.headers[.contentType] == "message/rfc822")
            let eml = Data(String(buffer: file.body).utf8)
            let text = String(decoding: eml, as: UTF8.self)
            #expect(text.contains("\r\nX-Order: 17\r\n") && text.contains("Message-ID: <\(id)@example.com>"))
            #expect(!text.contains("\r\n..\r\n"), "the outbox keeps the message, not its dot-stuffed wire form")
            // Both signatures verify with dkimpy against the records the domain told us to publish.
            let verdicts = try await verifyAllDKIMSignatures(eml, records: records)
            #expect(verdicts.count == 2 && verdicts.allSatisfy { $0.hasPrefix("pass") }, "\(verdicts)")
            #expect(verdicts.first?.contains("a=ed25519-sha256") == true && verdicts.last?.contains("a=rsa-sha256") == true)

            // Listed and filtered.
            let listed = try await client.call(.get, "/v1/messages?tag=order&recipient=ana@example.org", key: app.adminKey)
            #expect((listed.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
            let none = try await client.call(.get, "/v1/messages?status=bounced", key: app.adminKey)
            #expect((none.json["data"] as? [Any])?.isEmpty == true)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aNodeSetToEd25519SignaturesOnlySignsWithThatKeyAlone(database: TestDatabase) async throws {
        try await TestApp.run(on: database, configure: { $0.delivery.signatures = [.ed25519] }) { app, client in
            let domain = try await client.call(.post, "/v1/domains", key: app.adminKey, json: #"{"name":"example.com"}"#)
            let records = Dictionary(uniqueKeysWithValues: try #require(domain.json["dns_records"] as? [[String: Any]]).filter { $0["purpose"] as? String == "dkim" }.map {
                ($0["name"] as? String ?? "", $0["value"] as? String ?? "")
            })
            let accepted = try await client.call(.post, "/v1/messages", key: app.adminKey, json: Self.order)
            let id = try #require(accepted.json["id"] as? String)
            _ = try await client.waitForMessage(id, key: app.adminKey, toReach: ["delivered"])
            let file = try await client.call(.get, "/v1/outbox/\(id)", key: app.adminKey)
            let verdicts = try await verifyAllDKIMSignatures(Data(String(buffer: file.body).utf8), records: records)
            #expect(verdicts.count == 1 && verdicts.first?.hasPrefix("pass a=ed25519-sha256") == true, "\(verdicts)")
        }
    }

    @Test(arguments: TestDatabase.all)
    func badInputIsRefusedNamingTheFieldAndNothingIsQueued(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let base = #""from":{"email":"shop@example.com"},"to":[{"email":"ana@example.org"}],"text":"Hi""#
            let cases: [(String, String)] = [
                (#"{"from":{"email":"shop@example.com"},"to":[{"email":"ana@example.org"}],"subject":"Hi\r\nBcc: victim@example.net","text":"x"}"#, "subject"),
                ("{\(base),\"subject\":\"Hi\",\"headers\":{\"X-Note\":\"a\\r\\nBcc: victim@example.net\"}}", "headers.X-Note"),
                ("{\(base),\"subject\":\"Hi\",\"headers\":{\"DKIM-Signature\":\"v=1\"}}", "headers.DKIM-Signature"),
                ("{\(base),\"subject\":\"Hi\",\"headers\":{\"Bad Name\":\"x\"}}", "headers"),
                (#"{"from":{"email":"not-an-address"},"to":[{"email":"ana@example.org"}],"subject":"Hi","text":"x"}"#, "from.email"),
                (#"{"from":{"email":"shop@example.com","name":"Shop\nX"},"to":[{"email":"ana@example.org"}],"subject":"Hi","text":"x"}"#, "from.name"),
                (#"{"from":{"email":"shop@example.com"},"to":[],"subject":"Hi","text":"x"}"#, "to"),
                (#"{"from":{"email":"shop@example.com"},"to":[{"email":"ana@example.org"}],"subject":"Hi"}"#, "html"),
                ("{\(base),\"subject\":\"Hi\",\"send_at\":\"2020-01-01T00:00:00Z\"}", "send_at"),
                ("{\(base),\"subject\":\"Hi\",\"send_at\":\"2099-01-01T00:00:00Z\"}", "send_at"),
                ("{\(base),\"subject\":\"Hi\",\"attachments\":[{\"filename\":\"a.pdf\",\"content\":\"not base64!\"}]}", "attachments[0].content"),
                (#"{"from":{"email":"shop@example.com"},"to":[{"contact_id":"ct_01m8vkmykq9t4a70b10x9bteq6"}],"subject":"Hi","text":"x"}"#, "to[0].contact_id"),
                ("{\(base),\"subject\":\"Hi\",\"tags\":[\"no spaces\"]}", "tags"),
            ]
            for (json, param) in cases {
                let response = try await client.call(.post, "/v1/messages", key: app.adminKey, json: json)
                response.expectError(.unprocessableContent, code: "validation_failed")
                #expect(response.errorParam == param, "\(json)")
            }
            let many = (0..<51).map { #"{"email":"r\#($0)@example.org"}"# }.joined(separator: ",")
            let tooMany = try await client.call(.post, "/v1/messages", key: app.adminKey, json: #"{"from":{"email":"shop@example.com"},"subject":"Hi","text":"x","to":[\#(many)]}"#)
            tooMany.expectError(.unprocessableContent, code: "validation_failed")
            let listed = try await client.call(.get, "/v1/messages", key: app.adminKey)
            #expect((listed.json["data"] as? [Any])?.isEmpty == true, "a refused message left something queued")
        }
    }

    @Test(arguments: TestDatabase.all)
    func aNULInAFilterOrCursorIsRefusedNotPassedToTheDatabase(database: TestDatabase) async throws {
        // PostgreSQL cannot hold or compare a NUL in text: found by schemathesis as a 500 on a suppressions cursor.
        try await TestApp.run(on: database) { app, client in
            for path in ["/v1/suppressions?cursor=a%00b", "/v1/messages?tag=a%00b", "/v1/contacts?email_prefix=a%00", "/v1/contacts?tag=%00"] {
                let refused = try await client.call(.get, path, key: app.adminKey)
                #expect(refused.status == .badRequest, "\(path)")
            }
            let fine = try await client.call(.get, "/v1/suppressions?cursor=ana@example.org", key: app.adminKey)
            #expect(fine.status == .ok)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aBatchQueuesTheGoodItemsAndReportsEachBadOne(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let good = #"{"from":{"email":"shop@example.com"},"to":[{"email":"ana@example.org"}],"subject":"Hi","text":"Hello"}"#
            let bad = #"{"from":{"email":"shop@example.com"},"to":[{"email":"ana@"}],"subject":"Hi","text":"Hello"}"#
            // A contact id holding a NUL (which PostgreSQL cannot hold in text) is one bad item, not a failed request.
            let nul = #"{"from":{"email":"shop@example.com"},"to":[{"contact_id":"ct_\u0000x"}],"subject":"Hi","text":"Hello"}"#
            let response = try await client.call(.post, "/v1/messages/batch", key: app.adminKey, json: #"{"messages":[\#(good),\#(bad),\#(good),\#(nul)]}"#)
            #expect(response.status == .ok)
            #expect(response.json["queued"] as? Int == 2 && response.json["failed"] as? Int == 2)
            let data = try #require(response.json["data"] as? [[String: Any]])
            #expect(data.compactMap { $0["result"] as? String } == ["queued", "failed", "queued", "failed"])
            #expect((data[1]["error"] as? [String: Any])?["param"] as? String == "messages[1].to[0].email")
            #expect((data[3]["error"] as? [String: Any])?["param"] as? String == "messages[3].to[0].contact_id")
            // Unsigned: example.com is not a sending domain of the workspace, and the answer says so.
            #expect((data[0]["warnings"] as? [String])?.first?.contains("without a DKIM signature") == true)
            for item in [data[0], data[2]] {
                _ = try await client.waitForMessage(try #require(item["id"] as? String), key: app.adminKey, toReach: ["delivered"])
            }
            let listed = try await client.call(.get, "/v1/messages", key: app.adminKey)
            #expect((listed.json["data"] as? [Any])?.count == 2)
            // An item that breaks the schema's own limits makes the request malformed as a whole: nothing is queued.
            let empty = #"{"from":{"email":"shop@example.com"},"to":[],"subject":"Hi","text":"Hello"}"#
            let malformed = try await client.call(.post, "/v1/messages/batch", key: app.adminKey, json: #"{"messages":[\#(good),\#(empty)]}"#)
            malformed.expectError(.unprocessableContent, code: "validation_failed")
            #expect(malformed.errorParam == "messages[1].to")
            let after = try await client.call(.get, "/v1/messages", key: app.adminKey)
            #expect((after.json["data"] as? [Any])?.count == 2)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aSandboxKeysMessagesAreComposedButNeverDelivered(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let sandbox = try await app.makeKey(scopes: ["messages:send", "messages:read"], mode: .test)
            let accepted = try await client.call(.post, "/v1/messages", key: sandbox.token.rawValue, json: Self.order)
            let id = try #require(accepted.json["id"] as? String)
            let message = try await client.waitForMessage(id, key: sandbox.token.rawValue, toReach: ["sandboxed"])
            #expect(message["mode"] as? String == "test")
            #expect(((message["events"] as? [[String: Any]])?.last?["detail"] as? String)?.contains("never delivered") == true)
            let outbox = try await client.call(.get, "/v1/outbox", key: app.adminKey)
            #expect((outbox.json["data"] as? [Any])?.isEmpty == true)
        }
    }

    @Test(arguments: TestDatabase.all)
    func suppressedAddressesGetNothingAndTheListIsManagedByAPI(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let added = try await client.call(.post, "/v1/suppressions", key: app.adminKey, json: #"{"address":"Ana@example.org","reason":"complaint"}"#)
            #expect(added.status == .created && added.json["address"] as? String == "ana@example.org" && added.json["source"] as? String == "api")
            let accepted = try await client.call(.post, "/v1/messages", key: app.adminKey, json: Self.order)
            let id = try #require(accepted.json["id"] as? String)
            _ = try await client.waitForMessage(id, key: app.adminKey, toReach: ["suppressed"])
            let outbox = try await client.call(.get, "/v1/outbox", key: app.adminKey)
            #expect((outbox.json["data"] as? [Any])?.isEmpty == true)

            let fetched = try await client.call(.get, "/v1/suppressions/ANA@example.org", key: app.adminKey)
            #expect(fetched.json["reason"] as? String == "complaint")
            let listed = try await client.call(.get, "/v1/suppressions?reason=complaint", key: app.adminKey)
            #expect((listed.json["data"] as? [[String: Any]])?.compactMap { $0["address"] as? String } == ["ana@example.org"])
            let past = try await client.call(.post, "/v1/suppressions", key: app.adminKey, json: #"{"address":"bo@example.org","expires_at":"2020-01-01T00:00:00Z"}"#)
            past.expectError(.unprocessableContent, code: "validation_failed")
            let lifted = try await client.call(.delete, "/v1/suppressions/ana@example.org", key: app.adminKey)
            #expect(lifted.status == .ok)
            let again = try await client.call(.delete, "/v1/suppressions/ana@example.org", key: app.adminKey)
            again.expectError(.notFound, code: "not_found")
            let second = try await client.call(.post, "/v1/messages", key: app.adminKey, json: Self.order)
            _ = try await client.waitForMessage(try #require(second.json["id"] as? String), key: app.adminKey, toReach: ["delivered"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func aScheduledMessageCanBeCancelledAndASettledOneCannot(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            let scheduled = try await client.call(
                .post, "/v1/messages", key: app.adminKey,
                json: #"{"from":{"email":"shop@example.com"},"to":[{"email":"ana@example.org"}],"subject":"Later","text":"x","send_at":"\#(later)"}"#
            )
            let id = try #require(scheduled.json["id"] as? String)
            let cancelled = try await client.call(.post, "/v1/messages/\(id)/cancel", key: app.adminKey)
            #expect(cancelled.status == .ok && cancelled.json["status"] as? String == "cancelled")
            let twice = try await client.call(.post, "/v1/messages/\(id)/cancel", key: app.adminKey)
            twice.expectError(.conflict, code: "message_not_cancellable")
            #expect(twice.errorMessage.contains("cancelled"))

            let now = try await client.call(.post, "/v1/messages", key: app.adminKey, json: Self.order)
            let sent = try #require(now.json["id"] as? String)
            _ = try await client.waitForMessage(sent, key: app.adminKey, toReach: ["delivered"])
            let late = try await client.call(.post, "/v1/messages/\(sent)/cancel", key: app.adminKey)
            late.expectError(.conflict, code: "message_not_cancellable")
            let unknown = try await client.call(.get, "/v1/messages/msg_01m8vkmykq9t4a70b10x9bteq6", key: app.adminKey)
            unknown.expectError(.notFound, code: "not_found")
        }
    }

    @Test(arguments: TestDatabase.all)
    func aRetryWithTheSameIdempotencyKeyQueuesOnce(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let first = try await client.call(.post, "/v1/messages", key: app.adminKey, json: Self.order, headers: [HTTPField.Name("Idempotency-Key")!: "order-17"])
            let second = try await client.call(.post, "/v1/messages", key: app.adminKey, json: Self.order, headers: [HTTPField.Name("Idempotency-Key")!: "order-17"])
            #expect(first.status == .accepted && second.status == .accepted)
            #expect(first.json["id"] as? String == second.json["id"] as? String)
            let other = try await client.call(
                .post, "/v1/messages", key: app.adminKey, json: Self.order.replacingOccurrences(of: "order 17", with: "order 18"),
                headers: [HTTPField.Name("Idempotency-Key")!: "order-17"]
            )
            #expect(other.status == .unprocessableContent)
            let listed = try await client.call(.get, "/v1/messages", key: app.adminKey)
            #expect((listed.json["data"] as? [Any])?.count == 1)
        }
    }
}

extension MessagesAPITests {
    @Test(arguments: TestDatabase.all)
    func theDashboardListsMessagesAndShowsATimelineAndTheSuppressionList(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let json = Self.order.replacingOccurrences(of: "Your order 17", with: "<b>Order</b> 17")
            let accepted = try await client.call(.post, "/v1/messages", key: app.adminKey, json: json)
            let id = try #require(accepted.json["id"] as? String)
            _ = try await client.waitForMessage(id, key: app.adminKey, toReach: ["delivered"])
            _ = try await client.call(.post, "/v1/suppressions", key: app.adminKey, json: #"{"address":"gone@example.org","reason":"hard_bounce"}"#)

            let owner = DashboardBrowser(client)
            try await owner.setPassword(token: app.ownerPasswordToken)
            let list = try await owner.get("/app/messages")
            #expect(list.status == .ok && list.html.contains("/app/messages/\(id)") && list.html.contains("&lt;b&gt;Order&lt;/b&gt; 17"))
            #expect(!list.html.contains("<b>Order</b>"), "a subject is shown escaped")
            let bounced = try await owner.get("/app/messages?status=bounced")
            #expect(!bounced.html.contains("/app/messages/\(id)"))
            let page = try await owner.get("/app/messages/\(id)")
            #expect(page.status == .ok && page.html.contains("<strong>delivered</strong>") && page.html.contains("written to the outbox"))
            #expect(page.html.contains("&lt;\(id)@example.com&gt;"))
            let suppressions = try await owner.get("/app/suppressions")
            #expect(suppressions.html.contains("gone@example.org") && suppressions.html.contains("hard bounce"))
            let missing = try await owner.get("/app/messages/msg_01m8vkmykq9t4a70b10x9bteq6")
            #expect(missing.status == .notFound)
        }
    }
}

extension TestClientProtocol {
    /// Polls the message until its status is one of `statuses` (10 s at most); its JSON.
    func waitForMessage(_ id: String, key: String, toReach statuses: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        for _ in 0..<200 {
            last = try await call(.get, "/v1/messages/\(id)", key: key).json
            if let status = last["status"] as? String, statuses.contains(status) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("message \(id) never reached \(statuses): \(last)", sourceLocation: sourceLocation)
        return last
    }
}
