import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import SmartMailsApp
import SmartMailsCore
import SmartMailsServer
import SmartMailsStore
import SmartMailsTestSupport
import Testing

@Suite struct ContactsAPITests {
    @Test(arguments: TestDatabase.all)
    func aCRMSyncUpsertsByEmailAndByExternalID(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let created = try await client.call(.put, "/v1/contacts/by-email/Ana%40Example.COM", key: app.adminKey, json: #"{"first_name":"Ana","attributes":{"plan":"pro","orders":3}}"#)
            #expect(created.status == .created)
            #expect(created.json["email"] as? String == "Ana@example.com")
            let id = try #require(created.json["id"] as? String)
            let updatedAt = created.json["updated_at"] as? String

            // The same call again changes nothing: 200, same contact, same time.
            let again = try await client.call(.put, "/v1/contacts/by-email/ana%40example.com", key: app.adminKey, json: #"{"first_name":"Ana","attributes":{"orders":3}}"#)
            #expect(again.status == .ok)
            #expect(again.json["id"] as? String == id)
            #expect(again.json["updated_at"] as? String == updatedAt)
            #expect((again.json["attributes"] as? [String: Any])?["plan"] as? String == "pro")

            // By the CRM's id: set it, then change the address through it.
            #expect(try await client.call(.patch, "/v1/contacts/\(id)", key: app.adminKey, json: #"{"external_id":"crm-7","remove_attributes":["orders"]}"#).status == .ok)
            let moved = try await client.call(.put, "/v1/contacts/by-external-id/crm-7", key: app.adminKey, json: #"{"email":"ana.silva@example.com"}"#)
            #expect(moved.status == .ok)
            #expect(moved.json["id"] as? String == id)
            #expect(moved.json["email"] as? String == "ana.silva@example.com")
            #expect((moved.json["attributes"] as? [String: Any])?["orders"] == nil)

            // Creating by external id needs an address; a second create of an address is a conflict naming it.
            try await client.call(.put, "/v1/contacts/by-external-id/crm-8", key: app.adminKey, json: #"{"first_name":"Bo"}"#)
                .expectError(.unprocessableContent, code: "validation_failed")
            let duplicate = try await client.call(.post, "/v1/contacts", key: app.adminKey, json: #"{"email":"ANA.SILVA@example.com"}"#)
            duplicate.expectError(.conflict, code: "contact_exists")
            #expect(duplicate.errorMessage.contains(id))
            let listed = try await client.call(.get, "/v1/contacts?email_prefix=ana", key: app.adminKey)
            #expect((listed.json["data"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aBatchAppliesTheGoodItemsAndReportsEachBadOne(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            #expect(try await client.call(.post, "/v1/contacts", key: app.adminKey, json: #"{"email":"taken@example.com","external_id":"crm-1"}"#).status == .created)
            let body = #"""
                {"contacts":[
                  {"email":"one@example.com","tags":["vip"]},
                  {"email":"not an address"},
                  {"email":"ONE@example.com"},
                  {"email":"two@example.com","external_id":"crm-1"},
                  {"email":"taken@example.com","first_name":"T"},
                  {"email":"three@example.com","attributes":{"n":1},"time_zone":"Mars/Olympus"},
                  {"external_id":"crm-1","match_by":"external_id","last_name":"Sync"}
                ]}
                """#
            let response = try await client.call(.post, "/v1/contacts/batch", key: app.adminKey, json: body)
            #expect(response.status == .ok)
            let results = try #require(response.json["data"] as? [[String: Any]])
            #expect(results.map { $0["result"] as? String } == ["created", "failed", "failed", "failed", "updated", "failed", "updated"])
            let codes = results.map { ($0["error"] as? [String: Any])?["code"] as? String }
            #expect(codes == [nil, "validation_failed", "duplicate_in_batch", "external_id_taken", nil, "validation_failed", nil])
            #expect((results[5]["error"] as? [String: Any])?["param"] as? String == "time_zone")
            #expect(response.json["created"] as? Int == 1 && response.json["failed"] as? Int == 4 && response.json["updated"] as? Int == 2)
            let all = try await client.call(.get, "/v1/contacts", key: app.adminKey)
            #expect(Set((all.json["data"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }) == ["taken@example.com", "one@example.com"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func badInputIsRefusedInTheOneErrorShapeAndNothingIsWritten(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let cases: [(String, HTTPResponse.Status, String)] = [
                (#"{"email":"a@example.com""#, .badRequest, "invalid_json"),
                (#"{"email":"a@example.com","favourite":"x"}"#, .badRequest, ""),
                (#"{"email":42}"#, .badRequest, ""),
                (#"{"email":"a@@example.com"}"#, .unprocessableContent, "validation_failed"),
                (#"{"email":"\#(String(repeating: "a", count: 65))@example.com"}"#, .unprocessableContent, "validation_failed"),
                (#"{"email":"a@example.com","attributes":{"big":"\#(String(repeating: "x", count: 2049))"}}"#, .unprocessableContent, "validation_failed"),
                (#"{"email":"a@example.com","attributes":{"bad key":"x"}}"#, .unprocessableContent, "validation_failed"),
                (#"{"email":"a@example.com","locale":"not a locale"}"#, .unprocessableContent, "validation_failed"),
                (#"{"email":"a@example.com","first_name":null}"#, .badRequest, "invalid_type"),
            ]
            for (body, status, code) in cases {
                let response = try await client.call(.post, "/v1/contacts", key: app.adminKey, json: body)
                #expect(response.status == status, "\(body.prefix(80)) answered \(response.status)")
                if !code.isEmpty { #expect(response.errorCode == code, "\(body.prefix(80))") }
                #expect(response.json["error"] as? [String: Any] != nil)
            }
            // 17 KB of attributes in 100 keys, each value allowed on its own.
            let attributes = (0..<100).map { #""k\#($0)":"\#(String(repeating: "x", count: 170))""# }.joined(separator: ",")
            try await client.call(.post, "/v1/contacts", key: app.adminKey, json: #"{"email":"a@example.com","attributes":{\#(attributes)}}"#)
                .expectError(.unprocessableContent, code: "validation_failed")
            let items = Array(repeating: #"{"email":"x@example.com"}"#, count: 10_001).joined(separator: ",")
            try await client.call(.post, "/v1/contacts/batch", key: app.adminKey, json: #"{"contacts":[\#(items)]}"#)
                .expectError(.unprocessableContent, code: "validation_failed")
            let listed = try await client.call(.get, "/v1/contacts", key: app.adminKey)
            #expect((listed.json["data"] as? [[String: Any]])?.isEmpty == true)
        }
    }

    @Test(arguments: TestDatabase.all)
    func erasingKeepsOnlyTheSuppression(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let created = try await client.call(.post, "/v1/contacts", key: app.adminKey, json: #"{"email":"gone@example.com","first_name":"Gone","status":"unsubscribed"}"#)
            let id = try #require(created.json["id"] as? String)
            let erased = try await client.call(.delete, "/v1/contacts/\(id)", key: app.adminKey)
            #expect(erased.status == .ok)
            #expect(erased.json["suppressed"] as? Bool == true)
            #expect(try await client.call(.get, "/v1/contacts/\(id)", key: app.adminKey).status == .notFound)
            // Nothing personal is left in the database: the address is not in any table, only its hash.
            let rows = try await app.store.client.withReader { database in
                try await database.raw("SELECT COUNT(*) AS n FROM contacts WHERE email_key = 'gone@example.com'").first()?.decode(column: "n", as: Int.self)
            }
            #expect(rows == 0)
            let audit = try await client.call(.get, "/v1/audit-log?action=contact.erased", key: app.adminKey)
            #expect(!String(buffer: audit.body).contains("gone@example.com"))
            // A re-import of the address cannot mail it again.
            let back = try await client.call(.put, "/v1/contacts/by-email/gone%40example.com", key: app.adminKey, json: #"{"status":"active"}"#)
            #expect(back.status == .created)
            #expect(back.json["status"] as? String == "unsubscribed")
        }
    }

    @Test(arguments: TestDatabase.all)
    func contactsListsAndSegmentsStayInTheirWorkspace(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let other = try await Bootstrap.createWorkspace(storage: app.store, slug: "other", name: "Other", ownerEmail: "o@example.com").workspace
            let otherKey = try await app.makeKey(scopes: ["admin"], workspaceID: other.id).token.rawValue
            let contact = try #require(try await client.call(.post, "/v1/contacts", key: app.adminKey, json: #"{"email":"mine@example.com"}"#).json["id"] as? String)
            let list = try #require(try await client.call(.post, "/v1/lists", key: app.adminKey, json: #"{"name":"Mine"}"#).json["id"] as? String)
            let segment = try #require(try await client.call(.post, "/v1/segments", key: app.adminKey, json: #"{"name":"All","rule":{"field":"email","op":"exists"}}"#).json["id"] as? String)
            for path in ["/v1/contacts/\(contact)", "/v1/lists/\(list)", "/v1/segments/\(segment)", "/v1/segments/\(segment)/contacts", "/v1/contacts?list_id=\(list)"] {
                try await client.call(.get, path, key: otherKey).expectError(.notFound, code: "not_found")
            }
            try await client.call(.patch, "/v1/contacts/\(contact)", key: otherKey, json: #"{"first_name":"X"}"#).expectError(.notFound, code: "not_found")
            try await client.call(.delete, "/v1/contacts/\(contact)", key: otherKey).expectError(.notFound, code: "not_found")
            // Adding my contact to their list is refused (the list is not theirs) and to their own list skips it.
            try await client.call(.post, "/v1/lists/\(list)/members", key: otherKey, json: #"{"contact_ids":["\#(contact)"]}"#).expectError(.notFound, code: "not_found")
            let theirs = try #require(try await client.call(.post, "/v1/lists", key: otherKey, json: #"{"name":"Theirs"}"#).json["id"] as? String)
            let added = try await client.call(.post, "/v1/lists/\(theirs)/members", key: otherKey, json: #"{"contact_ids":["\#(contact)"],"state":"subscribed"}"#)
            #expect(added.json["changed"] as? Int == 0)
            // Their everything-segment and export see none of mine; an upsert of my address makes their own contact.
            let preview = try await client.call(.post, "/v1/segments/preview", key: otherKey, json: #"{"rule":{"field":"email","op":"exists"}}"#)
            #expect(preview.json["count"] as? Int == 0)
            let export = try await client.call(.get, "/v1/contacts/export?format=ndjson", key: otherKey)
            #expect(String(buffer: export.body).isEmpty)
            let theirContact = try await client.call(.put, "/v1/contacts/by-email/mine%40example.com", key: otherKey, json: "{}")
            #expect(theirContact.status == .created)
            #expect(theirContact.json["id"] as? String != contact)
        }
    }

    @Test(arguments: TestDatabase.all)
    func listsCountTheirMembersByState(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let list = try #require(try await client.call(.post, "/v1/lists", key: app.adminKey, json: #"{"name":"News"}"#).json["id"] as? String)
            for email in ["a@example.com", "b@example.com", "c@example.com"] {
                _ = try await client.call(.post, "/v1/contacts", key: app.adminKey, json: #"{"email":"\#(email)","tags":["\#(email.prefix(1))"]}"#)
            }
            let added = try await client.call(.post, "/v1/lists/\(list)/members", key: app.adminKey, json: #"{"emails":["a@example.com","B@example.com","nobody@example.com"]}"#)
            #expect(added.json["changed"] as? Int == 2)
            #expect(added.json["unknown_emails"] as? [String] == ["nobody@example.com"])
            let segment = try #require(try await client.call(.post, "/v1/segments", key: app.adminKey, json: #"{"name":"c","rule":{"field":"tags","op":"contains","value":"c"}}"#).json["id"] as? String)
            let pending = try await client.call(.post, "/v1/lists/\(list)/members", key: app.adminKey, json: #"{"segment_id":"\#(segment)","state":"pending"}"#)
            #expect(pending.json["changed"] as? Int == 1)
            _ = try await client.call(.post, "/v1/lists/\(list)/members", key: app.adminKey, json: #"{"emails":["a@example.com"],"state":"unsubscribed"}"#)
            let counts = try await client.call(.get, "/v1/lists/\(list)", key: app.adminKey).json["counts"] as? [String: Int]
            #expect(counts == ["subscribed": 1, "unsubscribed": 1, "pending": 1, "total": 3])
            let removed = try await client.call(.post, "/v1/lists/\(list)/members/remove", key: app.adminKey, json: #"{"emails":["a@example.com"]}"#)
            #expect(removed.json["changed"] as? Int == 1)
            try await client.call(.post, "/v1/lists/\(list)/members", key: app.adminKey, json: #"{"emails":["a@example.com"],"segment_id":"\#(segment)"}"#)
                .expectError(.unprocessableContent, code: "validation_failed")
            let members = try await client.call(.get, "/v1/contacts?list_id=\(list)", key: app.adminKey)
            #expect((members.json["data"] as? [[String: Any]])?.count == 2)
            let contact = try #require((members.json["data"] as? [[String: Any]])?.first?["id"] as? String)
            let memberships = try await client.call(.get, "/v1/contacts/\(contact)", key: app.adminKey).json["lists"] as? [[String: Any]]
            #expect(memberships?.first?["name"] as? String == "News")
        }
    }

    @Test(arguments: TestDatabase.all)
    func segmentRulesAreCheckedAndCounted(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            for (email, plan, orders) in [("a@example.com", "pro", 5), ("b@example.com", "pro", 1), ("c@example.com", "free", 9)] {
                _ = try await client.call(.post, "/v1/contacts", key: app.adminKey, json: #"{"email":"\#(email)","attributes":{"plan":"\#(plan)","orders":\#(orders)}}"#)
            }
            let rule = #"{"all":[{"field":"attributes.plan","op":"eq","value":"pro"},{"field":"attributes.orders","op":"gt","value":2}]}"#
            let preview = try await client.call(.post, "/v1/segments/preview", key: app.adminKey, json: #"{"rule":\#(rule)}"#)
            #expect(preview.json["count"] as? Int == 1)
            #expect((preview.json["data"] as? [[String: Any]])?.first?["email"] as? String == "a@example.com")
            let saved = try await client.call(.post, "/v1/segments", key: app.adminKey, json: #"{"name":"Pro buyers","rule":\#(rule)}"#)
            let id = try #require(saved.json["id"] as? String)
            #expect((saved.json["rule"] as? [String: Any])?["all"] != nil)
            let members = try await client.call(.get, "/v1/segments/\(id)/contacts", key: app.adminKey)
            #expect(members.json["count"] as? Int == 1)
            let bad: [(String, String)] = [
                (#"{"field":"attributes.plan","op":"eqq","value":"pro"}"#, "rule.op"),
                (#"{"field":"shoe_size","op":"eq","value":"9"}"#, "rule.field"),
                (#"{"all":[{"field":"attributes.orders","op":"gt","value":true}]}"#, "rule.all[0].value"),
                (#"{"not":{"not":{"not":{"not":{"not":{"field":"email","op":"exists"}}}}}}"#, "rule.not.not.not.not.not"),
                (#"{"all":[]}"#, "rule.all"),
            ]
            for (rule, path) in bad {
                let response = try await client.call(.post, "/v1/segments/preview", key: app.adminKey, json: #"{"rule":\#(rule)}"#)
                response.expectError(.unprocessableContent, code: "invalid_rule")
                #expect(response.errorParam == path, "\(rule)")
            }
            let segments = try await client.call(.get, "/v1/segments", key: app.adminKey)
            #expect((segments.json["data"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func anUploadedCSVIsCheckedThenImportedInTheBackground(database: TestDatabase) async throws {
        try await TestApp.run(on: database, mode: .live) { app, client in
            let list = try #require(try await client.call(.post, "/v1/lists", key: app.adminKey, json: #"{"name":"Imported"}"#).json["id"] as? String)
            let csv = "\u{FEFF}E-Mail;Vorname;Plan;Orders\r\nana@example.com;Ana;pro;3\r\nbad-address;Bo;free;1\r\n\"cy@example.com\";\"Cy \"\"C\"\"\";\"team\nplan\";x\r\n"
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(app.adminKey)"
            headers[.contentType] = "text/csv"
            let mapping = #"{"Vorname":"first_name"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let types = #"{"orders":"number"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let started = try await client.execute(
                uri: "/v1/imports?list_id=\(list)&mapping=\(mapping)&attribute_types=\(types)", method: .post, headers: headers, body: ByteBuffer(string: csv)
            )
            #expect(started.status == .accepted)
            #expect(started.json["rows_total"] as? Int == 3)
            let id = try #require(started.json["id"] as? String)
            var job: [String: Any] = [:]
            for _ in 0..<100 {
                job = try await client.call(.get, "/v1/imports/\(id)", key: app.adminKey).json
                if job["status"] as? String == "completed" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(job["status"] as? String == "completed")
            #expect(job["created"] as? Int == 1 && job["failed"] as? Int == 2)
            let errors = try #require(job["errors"] as? [[String: Any]])
            #expect(errors.map { $0["line"] as? Int } == [3, 4])
            #expect(errors[1]["field"] as? String == "Orders")
            let counts = try await client.call(.get, "/v1/lists/\(list)", key: app.adminKey).json["counts"] as? [String: Int]
            #expect(counts?["subscribed"] == 1)
            let ana = try await client.call(.get, "/v1/contacts?email_prefix=ana", key: app.adminKey).json["data"] as? [[String: Any]]
            #expect(ana?.first?["first_name"] as? String == "Ana")
            #expect((ana?.first?["attributes"] as? [String: Any])?["orders"] as? Int == 3)

            // A Latin-1 file is refused while it uploads, with the line, and no import is made.
            var latin1 = Array("email,name\nzoe@example.com,Zo".utf8)
            latin1 += [0xE9, 0x0A]
            let refused = try await client.execute(uri: "/v1/imports", method: .post, headers: headers, body: ByteBuffer(bytes: latin1))
            refused.expectError(.unprocessableContent, code: "unreadable_file")
            #expect(refused.errorMessage.contains("line 2"))
            let noEmail = try await client.execute(uri: "/v1/imports", method: .post, headers: headers, body: ByteBuffer(string: "name\nZoe\n"))
            noEmail.expectError(.unprocessableContent, code: "validation_failed")
            let imports = try await client.call(.get, "/v1/imports", key: app.adminKey).json["data"] as? [[String: Any]]
            #expect(imports?.count == 1)

            // The same upload as multipart/form-data, options first.
            var multipart = HTTPFields()
            multipart[.authorization] = "Bearer \(app.adminKey)"
            multipart[.contentType] = "multipart/form-data; boundary=XyZ"
            let form = "--XyZ\r\nContent-Disposition: form-data; name=\"options\"\r\nContent-Type: application/json\r\n\r\n{\"on_conflict\":\"skip\"}\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"more.csv\"\r\nContent-Type: text/csv\r\n\r\nemail,first_name\nana@example.com,Changed\ndee@example.com,Dee\n\r\n--XyZ--\r\n"
            let second = try await client.execute(uri: "/v1/imports", method: .post, headers: multipart, body: ByteBuffer(string: form))
            #expect(second.status == .accepted, "\(String(buffer: second.body))")
            #expect(second.json["file_name"] as? String == "more.csv")
        }
    }

    @Test(arguments: TestDatabase.all)
    func exportsStreamEveryMatchingContact(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let items = (0..<2500).map { #"{"email":"u\#($0)@example.com","tags":["\#($0 % 2 == 0 ? "even" : "odd")"],"attributes":{"n":\#($0)}}"# }
            #expect(try await client.call(.post, "/v1/contacts/batch", key: app.adminKey, json: #"{"contacts":[\#(items.joined(separator: ","))]}"#).status == .ok)
            let ndjson = String(buffer: try await client.call(.get, "/v1/contacts/export?format=ndjson&tag=even", key: app.adminKey).body)
            let lines = ndjson.split(separator: "\n")
            #expect(lines.count == 1250)
            let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            #expect(first["object"] as? String == "contact")
            let csv = try await client.call(.get, "/v1/contacts/export", key: app.adminKey)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let rows = String(buffer: csv.body).split(separator: "\r\n")
            #expect(rows.count == 2501)
            #expect(rows[0].hasSuffix(",attributes.n"))
        }
    }
}
