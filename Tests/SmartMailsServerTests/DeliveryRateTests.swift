import Foundation
import HTTPTypes
import HummingbirdTesting
import SMTPKit
import SmartMailsApp
import SmartMailsCore
import SmartMailsServer
import SmartMailsTestSupport
import Testing

/// Sending rates: the node's cap (`SMARTMAILS_SEND_RATE`) and a relay's own (`?rate=`, `?connections=`).
@Suite struct DeliveryRateTests {
    private static func batch(_ count: Int) -> String {
        let one = #"{"from":{"email":"shop@example.com"},"to":[{"email":"ana@example.org"}],"subject":"Hi","text":"x"}"#
        return #"{"messages":[\#(Array(repeating: one, count: count).joined(separator: ","))]}"#
    }

    /// How long from just before the batch was sent until every message of it was delivered (timelines have whole
    /// seconds, too coarse to space ten sends).
    private static func timeToDeliver(_ count: Int, client: any TestClientProtocol, key: String) async throws -> Duration {
        let started = ContinuousClock.now
        let accepted = try await client.call(.post, "/v1/messages/batch", key: key, json: batch(count))
        for item in try #require(accepted.json["data"] as? [[String: Any]]) {
            _ = try await client.waitForMessage(try #require(item["id"] as? String), key: key, toReach: ["delivered"])
        }
        return ContinuousClock.now - started
    }

    @Test(arguments: TestDatabase.all)
    func theNodesSendRateSpacesDeliveries(database: TestDatabase) async throws {
        try await TestApp.run(on: database, configure: { $0.delivery.rate = 10 }) { app, client in
            // Ten messages at ten a second: nine intervals of 100 ms at least between the first and the last.
            let took = try await Self.timeToDeliver(10, client: client, key: app.adminKey)
            #expect(took >= .milliseconds(900), "\(took)")
        }
    }

    @Test(arguments: TestDatabase.all)
    func aRelaysRateAndConnectionCapHold(database: TestDatabase) async throws {
        let sink = try await MailSink()
        defer { sink.stop() }
        try await TestApp.run(on: database, configure: DeliveryTests.configure(sink.url + "?rate=8&connections=1")) { app, client in
            let took = try await Self.timeToDeliver(8, client: client, key: app.adminKey)
            #expect(took >= .milliseconds(875), "\(took)")
            #expect(sink.received().count == 8)
        }
    }

    @Test func relayURLOptionsAreReadAndBadOnesNamed() throws {
        let relays = try RelayURL.parse("smtp://a.example?rate=2.5&connections=4, smtps://b.example", heloName: "mx.example")
        #expect(relays.map(\.rate) == [2.5, nil] && relays.map(\.connections) == [4, nil])
        #expect(relays.map(\.server.port) == [25, 465])
        for bad in ["smtp://a.example?rate=0", "smtp://a.example?rate=fast", "smtp://a.example?connections=0", "smtp://a.example?connections=2000"] {
            #expect(throws: RelayURL.Invalid.self, "\(bad)") { try RelayURL.parse(bad, heloName: "mx.example") }
        }
    }
}
