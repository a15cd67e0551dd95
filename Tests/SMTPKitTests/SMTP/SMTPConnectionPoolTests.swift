import Foundation
import NIOCore
import SMTPKit
import Testing

@Suite("SMTP connection pool", .serialized, .timeLimit(.minutes(1)))
struct SMTPConnectionPoolTests {
    static let message = ByteBuffer(string: "Subject: pooled\r\n\r\n.dot line\r\nbody\r\n")

    @Test func reusesConnectionsUnderTheCap() async throws {
        try await withServer({ try await .aiosmtpd() }) { server in
            let pool = try SMTPConnectionPool(
                server: SMTPTestSupport.configuration(port: server.port),
                configuration: .init(maximumConnections: 3, maximumMessagesPerConnection: 5)
            )
            try await withThrowingTaskGroup(of: SMTPSendResult.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        try await pool.send(SMTPEnvelope(from: "a@x.test", recipients: ["r\(index)@y.test"]), message: Self.message)
                    }
                }
                for try await result in group { #expect(result.dataReply.code == 250) }
            }
            let statistics = await pool.statistics
            #expect(statistics.peakOpenConnections <= 3)
            // 30 messages at 5 per connection: at least 6 connections, each retired after its fifth.
            #expect(statistics.connectionsOpened >= 6)
            #expect(statistics.connectionsOpened <= 12)
            await pool.shutdown()
            #expect(await pool.statistics.openConnections == 0)
            let received = try server.receivedMessages()
            #expect(received.count == 30)
            #expect(received.allSatisfy { String(decoding: $0.data, as: UTF8.self) == "Subject: pooled\r\n\r\n.dot line\r\nbody\r\n" })
            #expect(server.connectionCount() == statistics.connectionsOpened)
        }
    }

    @Test func brokenConnectionIsNotReused() async throws {
        try await withServer({ try await .aiosmtpd(["--fault", "mail:421:1"]) }) { server in
            let pool = try SMTPConnectionPool(server: SMTPTestSupport.configuration(port: server.port), configuration: .init(maximumConnections: 1))
            let envelope = SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"])
            let error = await SMTPClientError.caught { _ = try await pool.send(envelope, message: Self.message) }
            guard case .rejected(.mailFrom, let reply) = error else {
                Issue.record("got \(String(describing: error))")
                return
            }
            #expect(reply.code == 421)
            _ = try await pool.send(envelope, message: Self.message)
            _ = try await pool.send(envelope, message: Self.message)
            let statistics = await pool.statistics
            #expect(statistics.connectionsOpened == 2)
            #expect(statistics.connectionsDiscarded == 1)
            await pool.shutdown()
            #expect(server.connectionCount() == 2)
            #expect(try server.receivedMessages().count == 2)
        }
    }

    @Test func timedOutConnectionIsNotReused() async throws {
        try await withServer({ try await .aiosmtpd(["--fault", "final:sleep=3:1"]) }) { server in
            var configuration = SMTPTestSupport.configuration(port: server.port)
            // The second, healthy reply must also arrive within it on a machine busy with the whole suite.
            configuration.timeouts.dataTermination = .seconds(1)
            let pool = try SMTPConnectionPool(server: configuration, configuration: .init(maximumConnections: 1))
            let envelope = SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"])
            let error = await SMTPClientError.caught { _ = try await pool.send(envelope, message: Self.message) }
            #expect(error == .timeout(.dataTermination))
            _ = try await pool.send(envelope, message: Self.message)
            #expect(await pool.statistics.connectionsOpened == 2)
            await pool.shutdown()
        }
    }

    @Test func recipientRefusalKeepsTheConnection() async throws {
        try await withServer({ try await .aiosmtpd(["--fault", "rcpt[bad]:550"]) }) { server in
            let pool = try SMTPConnectionPool(server: SMTPTestSupport.configuration(port: server.port), configuration: .init(maximumConnections: 1))
            let error = await SMTPClientError.caught { _ = try await pool.send(SMTPEnvelope(from: "a@x.test", recipients: ["bad@y.test"]), message: Self.message) }
            guard case .allRecipientsRejected = error else {
                Issue.record("got \(String(describing: error))")
                return
            }
            _ = try await pool.send(SMTPEnvelope(from: "a@x.test", recipients: ["good@y.test"]), message: Self.message)
            #expect(await pool.statistics.connectionsOpened == 1)
            await pool.shutdown()
        }
    }

    @Test func idleConnectionsAreClosed() async throws {
        try await withServer({ try await .aiosmtpd() }) { server in
            let pool = try SMTPConnectionPool(
                server: SMTPTestSupport.configuration(port: server.port),
                configuration: .init(maximumConnections: 2, idleTimeout: .milliseconds(200))
            )
            _ = try await pool.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: Self.message)
            #expect(await pool.statistics.idleConnections == 1)
            // Closing says QUIT and waits for the reply, which a machine busy with the whole suite can delay.
            for _ in 0..<100 where await pool.statistics.openConnections > 0 { try await Task.sleep(for: .milliseconds(50)) }
            #expect(await pool.statistics.openConnections == 0)
            _ = try await pool.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: Self.message)
            #expect(await pool.statistics.connectionsOpened == 2)
            await pool.shutdown()
        }
    }

    @Test func shutdownWaitsForSendsAndRefusesNewOnes() async throws {
        try await withServer({ try await .aiosmtpd(["--fault", "final:sleep=1:2"]) }) { server in
            let pool = try SMTPConnectionPool(server: SMTPTestSupport.configuration(port: server.port), configuration: .init(maximumConnections: 1))
            let envelope = SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"])
            // A connected idle connection first: a send still connecting at shutdown is refused, and how long
            // connecting takes on a loaded machine is no basis for a test. Then each step waits for the state it needs.
            _ = try await pool.send(envelope, message: Self.message)
            let inFlight = Task { try await pool.send(envelope, message: Self.message) }
            while await pool.statistics.idleConnections > 0 { try await Task.sleep(for: .milliseconds(5)) }
            let waiting = Task { try await pool.send(envelope, message: Self.message) }
            while await pool.statistics.waitingSenders == 0 { try await Task.sleep(for: .milliseconds(5)) }
            await pool.shutdown()
            // The send in flight completes; the one waiting for a connection is refused.
            #expect(try await inFlight.value.dataReply.code == 250)
            let error = await SMTPClientError.caught { _ = try await waiting.value }
            #expect(error == .poolShutDown)
            let after = await SMTPClientError.caught { _ = try await pool.send(envelope, message: Self.message) }
            #expect(after == .poolShutDown)
            #expect(await pool.statistics.openConnections == 0)
        }
    }

    @Test func againstPostfixSmtpSink() async throws {
        try await withServer({ try await .smtpSink() }) { server in
            let pool = try SMTPConnectionPool(
                server: SMTPTestSupport.configuration(port: server.port),
                configuration: .init(maximumConnections: 4, maximumMessagesPerConnection: 1000)
            )
            let message = ByteBuffer(string: "Subject: sink\r\n\r\n" + String(repeating: "line of text.\r\n.dot\r\n", count: 50))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        for index in 0..<50 {
                            let result = try await pool.send(SMTPEnvelope(from: "a@x.test", recipients: ["w\(worker)-\(index)@y.test", "cc@y.test"]), message: message)
                            #expect(result.acceptedRecipients.count == 2)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let statistics = await pool.statistics
            #expect(statistics.connectionsOpened == 4)
            await pool.shutdown()
        }
    }
}
