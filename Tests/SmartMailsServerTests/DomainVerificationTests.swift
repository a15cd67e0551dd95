import Foundation
import HTTPTypes
import HummingbirdTesting
import SmartMailsApp
import SmartMailsCore
import SmartMailsServer
import SmartMailsTestSupport
import Testing

/// Domain checks through a real DNS server on loopback (dnslib) whose zone the test rewrites, as an owner
/// publishing records would; and the workspace's choice to send only from verified domains.
@Suite struct DomainVerificationTests {
    private static let mailHost = "mx.smartmails.example"

    /// The records the domain asks for, as the zone would hold them: `(name, type, value)`.
    private static func published(_ created: [String: Any]) -> [LocalDNSServer.Record] {
        ((created["dns_records"] as? [[String: Any]]) ?? []).map { record in
            let value = record["value"] as? String ?? ""
            return LocalDNSServer.Record(record["name"] as? String ?? "", record["type"] as? String ?? "", value)
        }
    }

    private static func states(_ response: TestResponse) -> [String] {
        ((response.json["dns_records"] as? [[String: Any]]) ?? []).compactMap { $0["state"] as? String }
    }

    @Test(arguments: TestDatabase.all)
    func eachRecordsStateIsReportedAndTheDomainIsVerifiedWhenDKIMAndSPFArePublished(database: TestDatabase) async throws {
        let dns = try await LocalDNSServer()
        try await TestApp.run(on: database, configure: { $0.mailHost = Self.mailHost; $0.dnsServer = dns.address }) { app, client in
            let created = try await client.call(.post, "/v1/domains", key: app.adminKey, json: #"{"name":"shop.example"}"#)
            let id = try #require(created.json["id"] as? String)
            #expect(Self.states(created) == Array(repeating: "unchecked", count: 5) && created.json["verified"] as? Bool == false)
            #expect(((created.json["dns_records"] as? [[String: Any]]) ?? []).compactMap { $0["required"] as? Bool } == [true, true, true, false, false])

            // Nothing published yet.
            let empty = try await client.call(.post, "/v1/domains/\(id)/verify", key: app.adminKey)
            #expect(empty.status == .ok)
            #expect(Self.states(empty) == ["missing", "missing", "missing", "missing", "missing"])
            #expect(empty.json["verified"] as? Bool == false && empty.json["checked_at"] is String && empty.json["verified_at"] == nil)
            let unverified = try await client.call(.post, "/v1/messages", key: app.adminKey, json: #"{"from":{"email":"hi@shop.example"},"to":[{"email":"ana@example.org"}],"subject":"Hi","text":"x"}"#)
            #expect(unverified.status == .accepted)
            #expect((unverified.json["warnings"] as? [String])?.first?.contains("is not verified") == true)

            // Published, next to the owner's other TXT records and an SPF record with their own includes; the MX
            // of the bounce host points elsewhere.
            var records = Self.published(created.json)
            let spf = try #require(records.first { $0.name == "shop.example" })
            let mechanism = spf.value.split(separator: " ")[1]
            records[2] = .init("shop.example", "TXT", "v=spf1 include:_spf.google.com +\(mechanism) -all")
            records[4] = .init("bounces.shop.example", "MX", "10 mx.elsewhere.example.")
            records.append(.init("shop.example", "TXT", "google-site-verification=abc"))
            try dns.publish(records)
            let checked = try await client.call(.post, "/v1/domains/\(id)/verify", key: app.adminKey)
            #expect(Self.states(checked) == ["verified", "verified", "verified", "verified", "mismatch"])
            let returnPath = try #require((checked.json["dns_records"] as? [[String: Any]])?.last)
            #expect(returnPath["found"] as? [String] == ["10 mx.elsewhere.example"] && (returnPath["detail"] as? String)?.contains("bounces") == true)
            #expect(checked.json["verified"] as? Bool == true)
            let since = try #require(checked.json["verified_at"] as? String)
            let signed = try await client.call(.post, "/v1/messages", key: app.adminKey, json: #"{"from":{"email":"hi@shop.example"},"to":[{"email":"ana@example.org"}],"subject":"Hi","text":"x"}"#)
            #expect((signed.json["warnings"] as? [String])?.isEmpty != false)

            // A DNS outage leaves the verdict as it was; the failing record says why.
            try dns.publish(records, faults: ["shop.example": "servfail"])
            let outage = try await client.call(.post, "/v1/domains/\(id)/verify", key: app.adminKey)
            #expect(Self.states(outage)[2] == "error" && outage.json["verified"] as? Bool == true && outage.json["verified_at"] as? String == since)
            #expect((((outage.json["dns_records"] as? [[String: Any]]) ?? [])[2]["detail"] as? String)?.contains("SERVFAIL") == true)

            // The RSA record replaced by another key, and a second SPF record: no longer verified, and the answer says what is wrong.
            records[1] = .init(records[1].name, "TXT", "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC")
            records.append(.init("shop.example", "TXT", "v=spf1 -all"))
            try dns.publish(records)
            let broken = try await client.call(.post, "/v1/domains/\(id)/verify", key: app.adminKey)
            #expect(Self.states(broken) == ["verified", "mismatch", "mismatch", "verified", "mismatch"])
            #expect(broken.json["verified"] as? Bool == false && broken.json["verified_at"] == nil)
            let spfCheck = try #require((broken.json["dns_records"] as? [[String: Any]])?[2])
            #expect((spfCheck["detail"] as? String)?.contains("2 SPF records") == true && (spfCheck["found"] as? [String])?.count == 2)

            // Stored: a later read shows the last check; both changes of the verdict are in the audit log.
            let read = try await client.call(.get, "/v1/domains/\(id)", key: app.adminKey)
            #expect(Self.states(read) == Self.states(broken))
            let audit = try await client.call(.get, "/v1/audit-log?target_id=\(id)", key: app.adminKey)
            let actions = ((audit.json["data"] as? [[String: Any]]) ?? []).compactMap { $0["action"] as? String }
            #expect(actions.filter { $0 == "domain.verification_changed" }.count == 2)
            let missing = try await client.call(.post, "/v1/domains/dom_01m8vkmykq9t4a70b10x9bteq6/verify", key: app.adminKey)
            missing.expectError(.notFound, code: "not_found")
        }
    }

    @Test(arguments: TestDatabase.all)
    func aWorkspaceThatRequiresVerifiedDomainsRefusesMailFromAnyOther(database: TestDatabase) async throws {
        let dns = try await LocalDNSServer()
        try await TestApp.run(on: database, configure: { $0.mailHost = Self.mailHost; $0.dnsServer = dns.address }) { app, client in
            let initial = try await client.call(.get, "/v1/sending-policy", key: app.adminKey)
            #expect(initial.status == .ok && initial.json["require_verified_domains"] as? Bool == false)
            let sender = try await app.makeKey(scopes: ["messages:send", "messages:read"])
            let denied = try await client.call(.patch, "/v1/sending-policy", key: sender.token.rawValue, json: #"{"require_verified_domains":true}"#)
            denied.expectError(.forbidden, code: "insufficient_scope")
            let wrongType = try await client.call(.patch, "/v1/sending-policy", key: app.adminKey, json: #"{"require_verified_domains":"yes"}"#)
            #expect(wrongType.status == .badRequest)
            let unknown = try await client.call(.patch, "/v1/sending-policy", key: app.adminKey, json: #"{"require_verified_domains":true,"strict":1}"#)
            #expect(unknown.status == .badRequest)
            let turnedOn = try await client.call(.patch, "/v1/sending-policy", key: app.adminKey, json: #"{"require_verified_domains":true}"#)
            #expect(turnedOn.status == .ok && turnedOn.json["require_verified_domains"] as? Bool == true)

            let created = try await client.call(.post, "/v1/domains", key: app.adminKey, json: #"{"name":"shop.example"}"#)
            let id = try #require(created.json["id"] as? String)
            let message = { (from: String) in #"{"from":{"email":"\#(from)"},"to":[{"email":"ana@example.org"}],"subject":"Hi","text":"x"}"# }
            for from in ["hi@elsewhere.example", "hi@shop.example"] {
                let refused = try await client.call(.post, "/v1/messages", key: sender.token.rawValue, json: message(from))
                refused.expectError(.unprocessableContent, code: "domain_not_verified")
                #expect(refused.errorParam == "from.email")
            }
            try dns.publish(Self.published(created.json))
            _ = try await client.call(.post, "/v1/domains/\(id)/verify", key: app.adminKey)
            let batch = try await client.call(
                .post, "/v1/messages/batch", key: sender.token.rawValue, json: #"{"messages":[\#(message("hi@shop.example")),\#(message("hi@elsewhere.example"))]}"#
            )
            let results = try #require(batch.json["data"] as? [[String: Any]])
            #expect(results.compactMap { $0["result"] as? String } == ["queued", "failed"])
            #expect((results[1]["error"] as? [String: Any])?["code"] as? String == "domain_not_verified")
            #expect((results[1]["error"] as? [String: Any])?["param"] as? String == "messages[1].from.email")
            let listed = try await client.call(.get, "/v1/messages", key: sender.token.rawValue)
            #expect((listed.json["data"] as? [Any])?.count == 1, "a refused message was queued")
        }
    }
}
