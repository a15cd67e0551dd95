import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SmartMailsApp
import SmartMailsCore
import SmartMailsServer
import SmartMailsTestSupport
import Testing

/// Delivery through a real SMTP server (aiosmtpd) that misbehaves on purpose: every message ends delivered once or
/// in the right failed state.
@Suite struct DeliveryTests {
    static let message = #"{"from":{"email":"shop@example.com"},"to":[{"email":"ana@example.org"}],"subject":"Hello","text":"Hi Ana"}"#

    static func configure(_ url: String) -> (inout ServerConfiguration) -> Void {
        { configuration in
            configuration.smtpURL = url
            configuration.delivery.retry = RetrySchedule(quickRetries: [100, 100, 100], interval: 100, maximumAge: 60_000, jitter: 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aRelayReceivesTheMessageWithItsVERPReturnPath(database: TestDatabase) async throws {
        let sink = try await MailSink()
        defer { sink.stop() }
        // The first relay is a port nobody listens on: the worker fails over to the second.
        try await TestApp.run(on: database, configure: Self.configure("smtp://127.0.0.1:1,\(sink.url)")) { app, client in
            let accepted = try await client.call(.post, "/v1/messages", key: app.adminKey, json: Self.message)
            let id = try #require(accepted.json["id"] as? String)
            let message = try await client.waitForMessage(id, key: app.adminKey, toReach: ["delivered"])
            let detail = (message["events"] as? [[String: Any]])?.last?["detail"] as? String ?? ""
            #expect(detail.contains("250"), "the next hop's reply is in the timeline: \(detail)")
            let received = sink.received()
            #expect(received.count == 1)
            #expect(received.first?.from == "bounces+\(id)@bounces.example.com")
            #expect(received.first?.recipients == ["ana@example.org"])
            let outbox = try await client.call(.get, "/v1/outbox", key: app.adminKey)
            #expect(outbox.json["transport"] as? String == "smtp 127.0.0.1:1, 127.0.0.1:\(sink.port)")
        }
    }

    @Test(arguments: TestDatabase.all)
    func aRelayWithASelfSignedCertificateIsReachedOverSTARTTLSOnlyWhenTrusted(database: TestDatabase) async throws {
        let certificate = try await MailSink.selfSignedCertificate()
        let sink = try await MailSink(options: ["--tls", "starttls", "--cert", certificate.cert, "--key", certificate.key, "--auth", "shop:s3cret", "--require-auth"])
        defer { sink.stop() }
        let trusted = "smtp://shop:s3cret@127.0.0.1:\(sink.port)?tls=required&ca=\(certificate.cert)"
        try await TestApp.run(on: database, configure: Self.configure(trusted)) { app, client in
            let accepted = try await client.call(.post, "/v1/messages", key: app.adminKey, json: Self.message)
            _ = try await client.waitForMessage(try #require(accepted.json["id"] as? String), key: app.adminKey, toReach: ["delivered"])
            #expect(sink.receivedOverTLS() == [true], "the message went over an encrypted, authenticated session")
        }
        // Without the CA the certificate is not trusted: nothing is sent (not even the password), and the message waits.
        try await TestApp.run(on: database, configure: Self.configure("smtp://shop:s3cret@127.0.0.1:\(sink.port)?tls=required")) { app, client in
            let accepted = try await client.call(.post, "/v1/messages", key: app.adminKey, json: Self.message)
            let message = try await client.waitForMessage(try #require(accepted.json["id"] as? String), key: app.adminKey, toReach: ["deferred", "failed"])
            #expect(message["status"] as? String == "deferred")
            #expect(sink.received().count == 1, "a message went to a relay whose certificate is not trusted")
        }
    }

    @Test(arguments: TestDatabase.all)
    func aPermanentRefusalBouncesAndSuppressesATemporaryOneIsRetried(database: TestDatabase) async throws {
        let sink = try await MailSink(faults: ["rcpt[gone]:550", "rcpt[busy]:451:2"])
        defer { sink.stop() }
        try await TestApp.run(on: database, configure: Self.configure(sink.url)) { app, client in
            let gone = try await client.call(.post, "/v1/messages", key: app.adminKey, json: Self.message.replacingOccurrences(of: "ana@", with: "gone@"))
            let busy = try await client.call(.post, "/v1/messages", key: app.adminKey, json: Self.message.replacingOccurrences(of: "ana@", with: "busy@"))
            let bounced = try await client.waitForMessage(try #require(gone.json["id"] as? String), key: app.adminKey, toReach: ["bounced"])
            #expect(((bounced["events"] as? [[String: Any]])?.last?["detail"] as? String)?.contains("550") == true)
            let suppression = try await client.call(.get, "/v1/suppressions/gone@example.org", key: app.adminKey)
            #expect(suppression.json["reason"] as? String == "hard_bounce" && suppression.json["source"] as? String == gone.json["id"] as? String)

            let delivered = try await client.waitForMessage(try #require(busy.json["id"] as? String), key: app.adminKey, toReach: ["delivered"])
            let events = try #require(delivered["events"] as? [[String: Any]])
            #expect(events.compactMap { $0["type"] as? String } == ["queued", "sending", "deferred", "sending", "deferred", "sending", "delivered"])
            #expect(events[2]["next_attempt_at"] is String && (events[2]["detail"] as? String)?.contains("451") == true)
            #expect(sink.received().map(\.recipients) == [["busy@example.org"]], "delivered once")

            // A message to a suppressed address is not sent at all.
            let again = try await client.call(.post, "/v1/messages", key: app.adminKey, json: Self.message.replacingOccurrences(of: "ana@", with: "gone@"))
            _ = try await client.waitForMessage(try #require(again.json["id"] as? String), key: app.adminKey, toReach: ["suppressed"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func aConnectionLostAfterTheFinalDotIsRetriedAndCountedAsAPossibleDuplicate(database: TestDatabase) async throws {
        let sink = try await MailSink(faults: ["final:drop:1"])
        defer { sink.stop() }
        try await TestApp.run(on: database, configure: Self.configure(sink.url)) { app, client in
            let accepted = try await client.call(.post, "/v1/messages", key: app.adminKey, json: Self.message)
            let message = try await client.waitForMessage(try #require(accepted.json["id"] as? String), key: app.adminKey, toReach: ["delivered"])
            let types = (message["events"] as? [[String: Any]])?.compactMap { $0["type"] as? String }
            #expect(types == ["queued", "sending", "deferred", "sending", "delivered"])
            let metrics = String(buffer: try await client.call(.get, "/metrics", key: nil).body)
            #expect(metrics.contains("smartmails_delivery_possible_duplicates_total{reason=\"connection_lost\"} 1"), "\(metrics.split(separator: "\n").filter { $0.contains("delivery") })")
        }
    }
}
