import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SmartMailsApp
import SmartMailsCore
import SmartMailsServer
import SmartMailsStore
import SmartMailsTestSupport
import Testing

@Suite struct TemplatesAPITests {
    static let order = #"{"name":"order-confirmation","description":"After checkout","subject":"Your order {{order.number}}","html":"<p>Hello {{contact.first_name}}, thank you for order <b>{{order.number}}</b>.</p><p>{{note}}</p>","defaults":{"contact":{"first_name":"there"}},"sample_data":{"order":{"number":"1001"}}}"#

    @Test(arguments: TestDatabase.all)
    func eachChangeOfContentIsANewVersionAndOldVersionsStayReadable(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let created = try await client.call(.post, "/v1/templates", key: app.adminKey, json: Self.order)
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            #expect(id.hasPrefix("tpl_") && created.json["version"] as? Int == 1 && created.json["object"] as? String == "template")
            #expect((created.json["defaults"] as? [String: Any])?["contact"] != nil && created.json["text"] == nil)

            // A new name alone is no new version; a new subject is.
            let renamed = try await client.call(.patch, "/v1/templates/\(id)", key: app.adminKey, json: #"{"name":"order-confirmed","sample_data":{"order":{"number":"7"}}}"#)
            #expect(renamed.status == .ok && renamed.json["version"] as? Int == 1 && renamed.json["name"] as? String == "order-confirmed")
            let same = try await client.call(.patch, "/v1/templates/\(id)", key: app.adminKey, json: #"{"subject":"Your order {{order.number}}"}"#)
            #expect(same.json["version"] as? Int == 1, "the same content again is not a new version")
            let changed = try await client.call(.patch, "/v1/templates/\(id)", key: app.adminKey, json: #"{"subject":"Order {{order.number}} is confirmed","text":"Order {{order.number}}."}"#)
            #expect(changed.status == .ok && changed.json["version"] as? Int == 2 && changed.json["text"] as? String == "Order {{order.number}}.")
            let cleared = try await client.call(.patch, "/v1/templates/\(id)", key: app.adminKey, json: #"{"text":"","description":""}"#)
            #expect(cleared.json["version"] as? Int == 3 && cleared.json["text"] == nil && cleared.json["description"] == nil)

            let versions = try await client.call(.get, "/v1/templates/\(id)/versions?limit=2", key: app.adminKey)
            #expect((versions.json["data"] as? [[String: Any]])?.compactMap { $0["version"] as? Int } == [3, 2])
            #expect(versions.json["has_more"] as? Bool == true && versions.json["next_cursor"] as? String == "2")
            let older = try await client.call(.get, "/v1/templates/\(id)/versions?cursor=2", key: app.adminKey)
            #expect((older.json["data"] as? [[String: Any]])?.compactMap { $0["version"] as? Int } == [1] && older.json["has_more"] as? Bool == false)
            let first = try await client.call(.get, "/v1/templates/\(id)/versions/1", key: app.adminKey)
            #expect(first.status == .ok && first.json["subject"] as? String == "Your order {{order.number}}" && first.json["created_by"] as? String != nil)
            try await client.call(.get, "/v1/templates/\(id)/versions/9", key: app.adminKey).expectError(.notFound, code: "not_found")
            try await client.call(.get, "/v1/templates/\(id)/versions?cursor=x", key: app.adminKey).expectError(.badRequest, code: "invalid_cursor")

            // Names are unique per workspace; listed, audited, deleted.
            let twin = try await client.call(.post, "/v1/templates", key: app.adminKey, json: Self.order.replacingOccurrences(of: "order-confirmation", with: "order-confirmed"))
            twin.expectError(.conflict, code: "template_exists")
            #expect(twin.errorParam == "name")
            let listed = try await client.call(.get, "/v1/templates", key: app.adminKey)
            #expect((listed.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
            let deleted = try await client.call(.delete, "/v1/templates/\(id)", key: app.adminKey)
            #expect(deleted.status == .ok && deleted.json["deleted"] as? Bool == true)
            try await client.call(.get, "/v1/templates/\(id)", key: app.adminKey).expectError(.notFound, code: "not_found")
            try await client.call(.get, "/v1/templates/\(id)/versions/1", key: app.adminKey).expectError(.notFound, code: "not_found")
            let audit = try await client.call(.get, "/v1/audit-log?target_id=\(id)", key: app.adminKey)
            let actions = (audit.json["data"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
            #expect(Set(actions) == ["template.created", "template.updated", "template.deleted"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func syntaxErrorsNameThePartLineAndColumnAndNothingIsSaved(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let cases: [(json: String, param: String, where: String)] = [
                (#"{"name":"a","subject":"Hi","html":"<p>\n<b>ok</b>\n{{#items}}x</p>"}"#, "html", "line 3"),
                (#"{"name":"a","subject":"Hi {{name","text":"x"}"#, "subject", "line 1"),
                (#"{"name":"a","subject":"Hi","text":"one\n{{/items}}"}"#, "text", "line 2"),
            ]
            for (json, param, place) in cases {
                let refused = try await client.call(.post, "/v1/templates", key: app.adminKey, json: json)
                refused.expectError(.unprocessableContent, code: "template_syntax")
                #expect(refused.errorParam == param && refused.errorMessage.contains(place) && refused.errorMessage.contains("column"), "\(refused.errorMessage)")
            }
            // Partials could reach other templates: refused on save.
            let partial = try await client.call(.post, "/v1/templates", key: app.adminKey, json: #"{"name":"a","subject":"Hi","html":"{{> footer}}"}"#)
            partial.expectError(.unprocessableContent, code: "template_syntax")
            for (json, param) in [
                (#"{"name":"a","subject":"Hi"}"#, "html"),
                (#"{"name":"a","subject":" ","text":"x"}"#, "subject"),
                (#"{"name":"","subject":"Hi","text":"x"}"#, "name"),
                (#"{"name":"a","subject":"Hi","text":"x","sample_data":{"contact":{"email":"x@example.com"}}}"#, "sample_data.contact"),
            ] {
                let refused = try await client.call(.post, "/v1/templates", key: app.adminKey, json: json)
                #expect(refused.status == .unprocessableContent && refused.errorParam == param, "\(json): \(String(buffer: refused.body))")
            }
            try await client.call(.post, "/v1/templates", key: app.adminKey, json: #"{"name":"a","subject":"Hi","text":"x","engine":"jinja"}"#)
                .expectError(.badRequest, code: "unknown_parameter")
            let listed = try await client.call(.get, "/v1/templates", key: app.adminKey)
            #expect((listed.json["data"] as? [Any])?.isEmpty == true, "a refused template was saved")

            // A bad change leaves the template as it was.
            let good = try await client.call(.post, "/v1/templates", key: app.adminKey, json: #"{"name":"b","subject":"Hi","text":"x"}"#)
            let id = try #require(good.json["id"] as? String)
            try await client.call(.patch, "/v1/templates/\(id)", key: app.adminKey, json: #"{"text":"{{#open}}"}"#).expectError(.unprocessableContent, code: "template_syntax")
            let after = try await client.call(.get, "/v1/templates/\(id)", key: app.adminKey)
            #expect(after.json["version"] as? Int == 1 && after.json["text"] as? String == "x")
        }
    }

    @Test(arguments: TestDatabase.all)
    func renderingEscapesHTMLFillsDefaultsAndTheContactAndMakesATextPart(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let id = try #require(try await client.call(.post, "/v1/templates", key: app.adminKey, json: Self.order).json["id"] as? String)
            // No data: the sample data; no contact: the defaults.
            let sample = try await client.call(.post, "/v1/templates/\(id)/render", key: app.adminKey, json: "{}")
            #expect(sample.status == .ok && sample.json["subject"] as? String == "Your order 1001" && sample.json["version"] as? Int == 1)
            #expect((sample.json["html"] as? String)?.contains("Hello there") == true)
            #expect((sample.json["text"] as? String)?.hasPrefix("Hello there, thank you for order 1001.") == true, "a text part is made from the HTML")

            let hostile = try await client.call(
                .post, "/v1/templates/\(id)/render", key: app.adminKey, json: #"{"data":{"order":{"number":"7"},"note":"<script>alert(1)</script>"}}"#
            )
            let html = try #require(hostile.json["html"] as? String)
            #expect(html.contains("&lt;script&gt;") && !html.contains("<script>"), "a variable in the HTML part is escaped: \(html)")

            let contact = try await client.call(.post, "/v1/contacts", key: app.adminKey, json: #"{"email":"ana@example.org","first_name":"Ana","attributes":{"plan":"pro"}}"#)
            let contactID = try #require(contact.json["id"] as? String)
            let personal = try await client.call(.post, "/v1/templates/\(id)/render", key: app.adminKey, json: #"{"contact_id":"\#(contactID)"}"#)
            #expect((personal.json["html"] as? String)?.contains("Hello Ana,") == true)

            try await client.call(.post, "/v1/templates/\(id)/render", key: app.adminKey, json: #"{"contact_id":"ct_01m8vkmykq9t4a70b10x9bteq6"}"#)
                .expectError(.unprocessableContent, code: "contact_not_found")
            let reserved = try await client.call(.post, "/v1/templates/\(id)/render", key: app.adminKey, json: #"{"data":{"contact":{"first_name":"Mallory"}}}"#)
            reserved.expectError(.unprocessableContent, code: "validation_failed")
            #expect(reserved.errorParam == "data.contact")
            try await client.call(.post, "/v1/templates/\(id)/render", key: app.adminKey, json: #"{"version":4}"#).expectError(.notFound, code: "not_found")
            try await client.call(.post, "/v1/templates/tpl_01m8vkmykq9t4a70b10x9bteq6/render", key: app.adminKey, json: "{}").expectError(.notFound, code: "not_found")
        }
    }

    @Test(arguments: TestDatabase.all)
    func aTemplateThatCouldExpandWithoutBoundIsRefusedNotRun(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let nested = #"{"name":"bomb","subject":"x","text":"{{#a}}{{#a}}{{#a}}{{#a}}{{s}}{{/a}}{{/a}}{{/a}}{{/a}}"}"#
            let id = try #require(try await client.call(.post, "/v1/templates", key: app.adminKey, json: nested).json["id"] as? String)
            let items = Array(repeating: "1", count: 200).joined(separator: ",")
            let started = ContinuousClock.now
            let refused = try await client.call(.post, "/v1/templates/\(id)/render", key: app.adminKey, json: #"{"data":{"a":[\#(items)],"s":"\#(String(repeating: "x", count: 200))"}}"#)
            refused.expectError(.unprocessableContent, code: "template_too_large")
            #expect(refused.errorParam == "text")
            // Rendering 200^4 tags would take hours; the bound is computed from the data's shape instead.
            #expect(ContinuousClock.now - started < .seconds(10), "the bound is computed, not found by rendering")
            // The same template over small data renders.
            let small = try await client.call(.post, "/v1/templates/\(id)/render", key: app.adminKey, json: #"{"data":{"a":[1,2],"s":"y"}}"#)
            #expect(small.status == .ok && small.json["text"] as? String == String(repeating: "y", count: 16))
        }
    }

    @Test(arguments: TestDatabase.all)
    func messagesRenderFromATemplateAndRecordTheVersionTheyUsed(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let id = try #require(try await client.call(.post, "/v1/templates", key: app.adminKey, json: Self.order).json["id"] as? String)
            let contact = try await client.call(.post, "/v1/contacts", key: app.adminKey, json: #"{"email":"ana@example.org","first_name":"Ana"}"#)
            let contactID = try #require(contact.json["id"] as? String)
            func send(_ template: String, to: String = #"{"email":"bo@example.org"}"#, extra: String = "") async throws -> TestResponse {
                try await client.call(.post, "/v1/messages", key: app.adminKey, json: #"{"from":{"email":"shop@example.com"},"to":[\#(to)],"template":\#(template)\#(extra)}"#)
            }
            let plain = try await send(#"{"id":"\#(id)","data":{"order":{"number":"42"}}}"#)
            #expect(plain.status == .accepted, "\(String(buffer: plain.body))")
            let first = try await client.waitForMessage(try #require(plain.json["id"] as? String), key: app.adminKey, toReach: ["delivered"])
            #expect(first["subject"] as? String == "Your order 42" && (first["html"] as? String)?.contains("Hello there,") == true)
            #expect((first["text"] as? String)?.contains("thank you for order 42") == true, "a text part is made from the HTML")
            #expect((first["template"] as? [String: Any])?["id"] as? String == id && (first["template"] as? [String: Any])?["version"] as? Int == 1)

            // The recipient's contact, by address or by id, renders as `contact`.
            for recipient in [#"{"email":"ANA@example.org"}"#, #"{"contact_id":"\#(contactID)"}"#] {
                let personal = try await send(#"{"id":"\#(id)","data":{"order":{"number":"43"}}}"#, to: recipient)
                let message = try await client.call(.get, "/v1/messages/\(try #require(personal.json["id"] as? String))", key: app.adminKey)
                #expect((message.json["html"] as? String)?.contains("Hello Ana,") == true, "\(recipient)")
            }

            _ = try await client.call(.patch, "/v1/templates/\(id)", key: app.adminKey, json: #"{"subject":"Order {{order.number}} confirmed"}"#)
            let newer = try await send(#"{"id":"\#(id)","data":{"order":{"number":"44"}}}"#)
            let second = try await client.call(.get, "/v1/messages/\(try #require(newer.json["id"] as? String))", key: app.adminKey)
            #expect(second.json["subject"] as? String == "Order 44 confirmed" && (second.json["template"] as? [String: Any])?["version"] as? Int == 2)
            let pinned = try await send(#"{"id":"\#(id)","version":1,"data":{"order":{"number":"45"}}}"#)
            let third = try await client.call(.get, "/v1/messages/\(try #require(pinned.json["id"] as? String))", key: app.adminKey)
            #expect(third.json["subject"] as? String == "Your order 45" && (third.json["template"] as? [String: Any])?["version"] as? Int == 1)

            // A null inside template data is the template's to render (as nothing); a null member of the message is not.
            let withNull = try await send(#"{"id":"\#(id)","data":{"order":{"number":"46","gift":null}}}"#)
            #expect(withNull.status == .accepted, "\(String(buffer: withNull.body))")
            let nullMember = try await send(#"{"id":"\#(id)"}"#, extra: #","reply_to":null"#)
            nullMember.expectError(.badRequest, code: "invalid_type")
            #expect(nullMember.errorParam == "reply_to")

            // Refusals name the field; nothing is queued for them.
            let before = try await client.call(.get, "/v1/messages?limit=100", key: app.adminKey)
            let both = try await send(#"{"id":"\#(id)"}"#, extra: #","subject":"Hi""#)
            both.expectError(.unprocessableContent, code: "validation_failed")
            #expect(both.errorParam == "template")
            let unknown = try await send(#"{"id":"tpl_01m8vkmykq9t4a70b10x9bteq6"}"#)
            unknown.expectError(.unprocessableContent, code: "template_not_found")
            #expect(unknown.errorParam == "template.id")
            let noVersion = try await send(#"{"id":"\#(id)","version":7}"#)
            noVersion.expectError(.unprocessableContent, code: "template_not_found")
            #expect(noVersion.errorParam == "template.version")
            let injected = try await send(#"{"id":"\#(id)","data":{"order":{"number":"1\r\nBcc: victim@example.net"}}}"#)
            injected.expectError(.unprocessableContent, code: "validation_failed")
            #expect(injected.errorParam == "template.data", "a header injection through data is refused: \(injected.errorMessage)")
            let reserved = try await send(#"{"id":"\#(id)","data":{"contact":{"first_name":"Mallory"}}}"#)
            #expect(reserved.status == .unprocessableContent && reserved.errorParam == "template.data.contact")
            try await client.call(.post, "/v1/messages", key: app.adminKey, json: #"{"from":{"email":"shop@example.com"},"to":[{"email":"bo@example.org"}],"text":"no subject"}"#)
                .expectError(.unprocessableContent, code: "validation_failed")
            let after = try await client.call(.get, "/v1/messages?limit=100", key: app.adminKey)
            #expect((after.json["data"] as? [Any])?.count == (before.json["data"] as? [Any])?.count)

            // In a batch each item gets its own answer.
            let batch = try await client.call(.post, "/v1/messages/batch", key: app.adminKey, json: #"""
                {"messages":[
                  {"from":{"email":"shop@example.com"},"to":[{"email":"a@example.org"}],"template":{"id":"\#(id)","data":{"order":{"number":"50"}}}},
                  {"from":{"email":"shop@example.com"},"to":[{"email":"b@example.org"}],"template":{"id":"tpl_01m8vkmykq9t4a70b10x9bteq6"}},
                  {"from":{"email":"shop@example.com"},"to":[{"email":"c@example.org"}],"template":{"id":"\#(id)","version":1,"data":{"order":{"number":"51"},"gift":null}}}
                ]}
                """#)
            #expect(batch.status == .ok && batch.json["queued"] as? Int == 2 && batch.json["failed"] as? Int == 1)
            let results = try #require(batch.json["data"] as? [[String: Any]])
            #expect(results.compactMap { $0["result"] as? String } == ["queued", "failed", "queued"])
            #expect((results[1]["error"] as? [String: Any])?["code"] as? String == "template_not_found")
            #expect((results[1]["error"] as? [String: Any])?["param"] as? String == "messages[1].template.id")
        }
    }

    @Test(arguments: TestDatabase.all)
    func scopesDecideWhoReadsAndWhoWritesAndWorkspacesAreApart(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let id = try #require(try await client.call(.post, "/v1/templates", key: app.adminKey, json: Self.order).json["id"] as? String)
            let reader = try await app.makeKey(scopes: ["templates:read"]).token.rawValue
            #expect(try await client.call(.get, "/v1/templates/\(id)", key: reader).status == .ok)
            #expect(try await client.call(.post, "/v1/templates/\(id)/render", key: reader, json: "{}").status == .ok)
            let refused = try await client.call(.patch, "/v1/templates/\(id)", key: reader, json: #"{"name":"x"}"#)
            refused.expectError(.forbidden, code: "insufficient_scope")
            #expect(refused.errorParam == "templates:write")
            let sender = try await app.makeKey(scopes: ["messages:send"]).token.rawValue
            try await client.call(.get, "/v1/templates", key: sender).expectError(.forbidden, code: "insufficient_scope")
            // A sender may still send from a template it cannot read.
            let sent = try await client.call(.post, "/v1/messages", key: sender, json: #"{"from":{"email":"shop@example.com"},"to":[{"email":"bo@example.org"}],"template":{"id":"\#(id)"}}"#)
            #expect(sent.status == .accepted)

            let other = try await Bootstrap.createWorkspace(storage: app.store, slug: "other", name: "Other", ownerEmail: "o@example.com").workspace
            let stranger = try await app.makeKey(scopes: ["templates:write", "messages:send"], workspaceID: other.id).token.rawValue
            try await client.call(.get, "/v1/templates/\(id)", key: stranger).expectError(.notFound, code: "not_found")
            try await client.call(.delete, "/v1/templates/\(id)", key: stranger).expectError(.notFound, code: "not_found")
            let foreign = try await client.call(.post, "/v1/messages", key: stranger, json: #"{"from":{"email":"shop@example.com"},"to":[{"email":"bo@example.org"}],"template":{"id":"\#(id)"}}"#)
            foreign.expectError(.unprocessableContent, code: "template_not_found")
            // The same name in another workspace is another template.
            #expect(try await client.call(.post, "/v1/templates", key: stranger, json: Self.order).status == .created)
        }
    }

    @Test(arguments: TestDatabase.all)
    func theDashboardEditsTemplatesAndPreviewsThemInASandbox(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let owner = DashboardBrowser(client)
            try await owner.setPassword(token: app.ownerPasswordToken)
            let editor = try await owner.get("/app/templates/new")
            #expect(editor.status == .ok && editor.html.contains("template-preview"))
            let csrf = try #require(editor.csrf)
            let fields: [(String, String)] = [
                ("csrf", csrf), ("name", "welcome"), ("description", ""), ("subject", "Welcome {{name}}"),
                ("html", "<p style=\"color:red\">Hi {{name}}</p>"), ("text", ""), ("defaults", #"{"name":"friend"}"#), ("sample_data", #"{"name":"<Ana>"}"#),
            ]
            var broken = fields
            broken[4] = ("html", "<p>\n{{#name}}")
            let refused = try await owner.post("/app/templates", broken)
            #expect(refused.status == .unprocessableContent && refused.html.contains("line 2") && refused.html.contains("&lt;p&gt;"), "the error is shown and the form kept")
            let badJSON = try await owner.post("/app/templates", fields.map { $0.0 == "defaults" ? ($0.0, "{nope") : $0 })
            #expect(badJSON.status == .unprocessableContent && badJSON.html.contains("defaults must be a JSON object"))

            let saved = try await owner.post("/app/templates", fields)
            #expect(saved.status == .seeOther)
            let location = try #require(saved.location)
            let page = try await owner.get(location)
            #expect(page.status == .ok && page.html.contains("Version 1") && page.html.contains("Template: welcome"))
            let listed = try await owner.get("/app/templates")
            #expect(listed.html.contains(location) && listed.html.contains("Welcome {{name}}"))

            // The preview is a document of its own, sandboxed, with the mail inside an inert srcdoc frame.
            let preview = try await owner.post("/app/templates/preview", fields)
            #expect(preview.status == .ok && preview.html.contains("Welcome &lt;Ana&gt;"))
            #expect(preview.html.contains("srcdoc=\"&lt;p style=&quot;color:red&quot;&gt;Hi &amp;lt;Ana&amp;gt;&lt;/p&gt;\""), "\(preview.html)")
            let policy = preview.headers[.contentSecurityPolicy] ?? ""
            #expect(policy.contains("sandbox") && policy.contains("frame-ancestors 'self'") && !policy.contains("script-src"))
            let forged = try await owner.post("/app/templates/preview", fields.map { $0.0 == "csrf" ? ($0.0, "forged") : $0 })
            #expect(forged.status == .forbidden)

            // A second save with new content is version 2; the editor can show version 1 again.
            let changed = try await owner.post(location, fields.map { $0.0 == "subject" ? ($0.0, "Hello {{name}}") : $0 })
            #expect(changed.status == .seeOther)
            let again = try await owner.get(location)
            #expect(again.html.contains("Version 2") && again.html.contains("value=\"Hello {{name}}\""))
            let old = try await owner.get(location + "?version=1")
            #expect(old.html.contains("value=\"Welcome {{name}}\"") && old.html.contains("the form shows version 1"))
            let deleted = try await owner.post(location + "/delete", [("csrf", csrf)])
            #expect(deleted.location == "/app/templates")
            #expect(try await owner.get(location).status == .notFound)
        }
    }
}
