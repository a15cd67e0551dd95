import Foundation
import HTTPTypes
import HummingbirdTesting
import SmartMailsTestSupport
import Testing

/// A key's blast radius: the `from` domains it may use and its daily recipient quota, set through the API and
/// holding for single messages and batches alike.
@Suite struct KeySendingLimitsTests {
    private static func message(from: String, to recipients: Int = 1) -> String {
        let to = (0..<recipients).map { #"{"email":"r\#($0)@example.org"}"# }.joined(separator: ",")
        return #"{"from":{"email":"\#(from)"},"to":[\#(to)],"subject":"Hi","text":"x"}"#
    }

    @Test(arguments: TestDatabase.all)
    func aLimitedKeySendsOnlyFromItsDomainsAndToItsDailyQuota(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let created = try await client.call(.post, "/v1/api-keys", key: app.adminKey, json: """
                {"name":"shop","scopes":["messages:send","messages:read"],"sending_limits":{"from_domains":["Shop.Example","shop.example"],"daily_recipients":3}}
                """)
            #expect(created.status == .created)
            let limits = try #require(created.json["sending_limits"] as? [String: Any])
            #expect(limits["from_domains"] as? [String] == ["shop.example"] && limits["daily_recipients"] as? Int == 3)
            let key = try #require(created.json["secret"] as? String)
            let id = try #require(created.json["id"] as? String)

            let elsewhere = try await client.call(.post, "/v1/messages", key: key, json: Self.message(from: "hi@other.example"))
            elsewhere.expectError(.unprocessableContent, code: "from_domain_not_allowed")
            #expect(elsewhere.errorParam == "from.email" && elsewhere.errorMessage.contains("shop.example"))
            // A subdomain of an allowed domain is allowed; two recipients count two.
            let first = try await client.call(.post, "/v1/messages", key: key, json: Self.message(from: "hi@news.shop.example", to: 2))
            #expect(first.status == .accepted)
            // A batch that would pass the quota is refused whole, saying when the quota starts over.
            let batch = try await client.call(.post, "/v1/messages/batch", key: key, json: #"{"messages":[\#(Self.message(from: "a@shop.example")),\#(Self.message(from: "b@shop.example"))]}"#)
            batch.expectError(.tooManyRequests, code: "quota_exceeded")
            #expect(batch.errorMessage.contains("3 recipients a day") && batch.errorMessage.contains("sent to 2"))
            let retryAfter = try #require(batch.header("Retry-After").flatMap(Int.init))
            #expect(retryAfter > 0 && retryAfter <= 86_400)
            let last = try await client.call(.post, "/v1/messages", key: key, json: Self.message(from: "hi@shop.example"))
            #expect(last.status == .accepted)
            let over = try await client.call(.post, "/v1/messages", key: key, json: Self.message(from: "hi@shop.example"))
            over.expectError(.tooManyRequests, code: "quota_exceeded")
            let listed = try await client.call(.get, "/v1/messages", key: key)
            #expect((listed.json["data"] as? [Any])?.count == 2, "a refused request queued something")

            // The usage shows the day's count against the quota.
            let usage = try await client.call(.get, "/v1/api-keys/\(id)/usage", key: app.adminKey)
            let today = try #require(usage.json["daily_recipients"] as? [String: Any])
            #expect(today["used"] as? Int == 3 && today["quota"] as? Int == 3)
            #expect((today["day"] as? String)?.count == 10 && (today["resets_at"] as? String)?.hasSuffix("T00:00:00Z") == true)

            // `{}` lifts the limits, and the change holds from the next request.
            let lifted = try await client.call(.patch, "/v1/api-keys/\(id)", key: app.adminKey, json: #"{"sending_limits":{}}"#)
            #expect(lifted.status == .ok && (lifted.json["sending_limits"] as? [String: Any])?.isEmpty == true)
            let free = try await client.call(.post, "/v1/messages", key: key, json: Self.message(from: "hi@other.example", to: 5))
            #expect(free.status == .accepted)
            let audit = try await client.call(.get, "/v1/audit-log?target_id=\(id)", key: app.adminKey)
            let changes = ((audit.json["data"] as? [[String: Any]]) ?? []).compactMap { ($0["changes"] as? [String: Any])?["sending_limits"] as? String }
            #expect(changes.contains("none") && changes.contains { $0.contains("3 recipients a day") })
        }
    }

    @Test(arguments: TestDatabase.all)
    func badLimitsAreRefusedNamingTheField(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let base = #""name":"k","scopes":["messages:send"]"#
            let badDomain = try await client.call(.post, "/v1/api-keys", key: app.adminKey, json: #"{\#(base),"sending_limits":{"from_domains":["ok.example","not a domain"]}}"#)
            badDomain.expectError(.unprocessableContent, code: "validation_failed")
            #expect(badDomain.errorParam == "sending_limits.from_domains[1]")
            let zero = try await client.call(.post, "/v1/api-keys", key: app.adminKey, json: #"{\#(base),"sending_limits":{"daily_recipients":0}}"#)
            zero.expectError(.unprocessableContent, code: "validation_failed")
            #expect(zero.errorParam == "sending_limits.daily_recipients")
            for json in [#"{\#(base),"sending_limits":{"daily":5}}"#, #"{\#(base),"sending_limits":{"daily_recipients":"5"}}"#] {
                let refused = try await client.call(.post, "/v1/api-keys", key: app.adminKey, json: json)
                #expect(refused.status == .badRequest, "\(json)")
            }
            let keys = try await client.call(.get, "/v1/api-keys", key: app.adminKey)
            #expect((keys.json["data"] as? [Any])?.count == 1, "a refused key was stored")
        }
    }

    @Test(arguments: TestDatabase.all)
    func aSandboxKeysMessagesCountAgainstNoQuota(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let created = try await client.call(.post, "/v1/api-keys", key: app.adminKey, json: """
                {"name":"sandbox","mode":"test","scopes":["messages:send"],"sending_limits":{"daily_recipients":1}}
                """)
            let key = try #require(created.json["secret"] as? String)
            for _ in 0..<3 {
                let accepted = try await client.call(.post, "/v1/messages", key: key, json: Self.message(from: "hi@shop.example", to: 2))
                #expect(accepted.status == .accepted)
            }
        }
    }

    /// Limits bind like scopes: a limited key that manages keys cannot mint, widen, change or roll a key less limited
    /// than itself, while keys limited as much (or more) are its to manage.
    @Test(arguments: TestDatabase.all)
    func aLimitedKeyCannotGrantWiderLimitsThanItsOwn(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            let manager = try await client.call(.post, "/v1/api-keys", key: app.adminKey, json: """
                {"name":"shop manager","scopes":["keys:admin","messages:send"],"sending_limits":{"from_domains":["shop.example"],"daily_recipients":100}}
                """)
            let managerKey = try #require(manager.json["secret"] as? String)
            let base = #""name":"child","scopes":["messages:send"]"#
            for limits in [#"{}"#, #"{"from_domains":["shop.example"]}"#, #"{"daily_recipients":100}"#,
                           #"{"from_domains":["other.example"],"daily_recipients":10}"#, #"{"from_domains":["shop.example"],"daily_recipients":101}"#] {
                let refused = try await client.call(.post, "/v1/api-keys", key: managerKey, json: #"{\#(base),"sending_limits":\#(limits)}"#)
                refused.expectError(.forbidden, code: "sending_limits_not_grantable")
                #expect(refused.errorParam == "sending_limits")
            }
            let unlimited = try await client.call(.post, "/v1/api-keys", key: managerKey, json: "{\(base)}")
            unlimited.expectError(.forbidden, code: "sending_limits_not_grantable")

            let child = try await client.call(.post, "/v1/api-keys", key: managerKey, json: """
                {\(base),"sending_limits":{"from_domains":["news.shop.example"],"daily_recipients":50}}
                """)
            #expect(child.status == .created)
            let childID = try #require(child.json["id"] as? String)
            let widened = try await client.call(.patch, "/v1/api-keys/\(childID)", key: managerKey, json: #"{"sending_limits":{"daily_recipients":50}}"#)
            widened.expectError(.forbidden, code: "sending_limits_not_grantable")
            let renamed = try await client.call(.patch, "/v1/api-keys/\(childID)", key: managerKey, json: #"{"name":"newsletter"}"#)
            #expect(renamed.status == .ok)

            // A key without limits is beyond the limited manager: no change, no roll (which would hand over a secret).
            let free = try await client.call(.post, "/v1/api-keys", key: app.adminKey, json: #"{"name":"free","scopes":["messages:send"]}"#)
            let freeID = try #require(free.json["id"] as? String)
            try await client.call(.patch, "/v1/api-keys/\(freeID)", key: managerKey, json: #"{"name":"mine"}"#)
                .expectError(.forbidden, code: "sending_limits_not_grantable")
            try await client.call(.post, "/v1/api-keys/\(freeID)/roll", key: managerKey).expectError(.forbidden, code: "sending_limits_not_grantable")
            // Nor can the manager lift its own limits.
            let managerID = try #require(manager.json["id"] as? String)
            try await client.call(.patch, "/v1/api-keys/\(managerID)", key: managerKey, json: #"{"sending_limits":{}}"#)
                .expectError(.forbidden, code: "sending_limits_not_grantable")
        }
    }
}
