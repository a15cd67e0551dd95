import Foundation
import NIOCore
import SMTPKit
import Synchronization
import Testing

/// Collects what an `SMTPServer` received, for checks after the fact.
final class ReceivedMessages: Sendable {
    private let messages = Mutex<[SMTPReceivedMessage]>([])

    func append(_ message: SMTPReceivedMessage) { self.messages.withLock { $0.append(message) } }
    var all: [SMTPReceivedMessage] { self.messages.withLock { $0 } }
}

@Suite("SMTP server", .serialized, .timeLimit(.minutes(1)))
struct SMTPServerTests {
    /// A server that refuses recipients containing "bad" and answers 451 to the subject "tempfail", 550 to "reject".
    private func startServer(maximumMessageSize: Int = 10000) async throws -> (SMTPServer, ReceivedMessages) {
        let received = ReceivedMessages()
        let server = try await SMTPServer.start(
            configuration: .init(hostname: "smtpkit.test", maximumMessageSize: maximumMessageSize),
            recipientHandler: { address in address.contains("bad") ? .permanentFailure("5.1.1 No such user") : .recipientAccepted },
            messageHandler: { message in
                let text = String(buffer: message.data)
                if text.contains("Subject: tempfail") { return .transientFailure("4.7.1 Try later") }
                if text.contains("Subject: reject") { return .permanentFailure("5.7.1 Not wanted") }
                received.append(message)
                return .accepted
            }
        )
        return (server, received)
    }

    @Test func ourClientRoundTrip() async throws {
        let (server, received) = try await self.startServer()
        #expect(server.port > 0)
        let connection = try await SMTPConnection.connect(to: SMTPTestSupport.configuration(port: server.port))
        #expect(connection.capabilities.supportsPipelining)
        #expect(connection.capabilities.maximumMessageSize == 10000)
        let tricky = SMTPClientAiosmtpdTests.tricky
        let result = try await connection.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test", "bad@y.test", "c@y.test"]), message: ByteBuffer(string: tricky))
        #expect(result.acceptedRecipients == ["b@y.test", "c@y.test"])
        #expect(result.rejectedRecipients.first?.reply.enhancedStatusCode?.description == "5.1.1")

        let temporary = await SMTPClientError.caught {
            _ = try await connection.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: ByteBuffer(string: "Subject: tempfail\r\n\r\nx\r\n"))
        }
        guard case .rejected(.dataTermination, let reply) = temporary else {
            Issue.record("got \(String(describing: temporary))")
            return
        }
        #expect(reply.code == 451)
        #expect(reply.enhancedStatusCode?.description == "4.7.1")
        let permanent = await SMTPClientError.caught {
            _ = try await connection.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: ByteBuffer(string: "Subject: reject\r\n\r\nx\r\n"))
        }
        #expect(permanent.map { if case .rejected(.dataTermination, let reply) = $0 { reply.code } else { 0 } } == 550)

        let tooBig = await SMTPClientError.caught {
            _ = try await connection.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: ByteBuffer(repeating: UInt8(ascii: "z"), count: 20000))
        }
        #expect(tooBig == .messageTooLarge(size: 20002, limit: 10000))

        let utf8 = try await connection.send(SMTPEnvelope(from: "jörg@x.test", recipients: ["b@y.test"]), message: ByteBuffer(string: "Subject: Grüße\r\n\r\nok\r\n"))
        #expect(utf8.dataReply.code == 250)
        try await connection.close()
        await server.shutdown()

        let messages = received.all
        #expect(messages.count == 2)
        #expect(String(buffer: messages[0].data) == SMTPClientAiosmtpdTests.trickyExpected)
        #expect(messages[0].envelope == SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test", "c@y.test"]))
        #expect(messages[0].clientName == "client.test")
        #expect(messages[1].envelope.from == "jörg@x.test")
    }

    @Test func pythonSmtplibAgainstOurServer() async throws {
        let (server, received) = try await self.startServer()
        let directory = try SMTPTestSupport.makeTemporaryDirectory()
        let log = directory.appendingPathComponent("client.log").path
        let script = SMTPTestSupport.fixtures.appendingPathComponent("smtplib_client.py").path
        try SMTPTestSupport.require(FileManager.default.isExecutableFile(atPath: SMTPTestSupport.python), "python3 is missing: `apt-get install -y python3`")
        let client = try ChildProcess(SMTPTestSupport.python, [script, "\(server.port)"], output: log)
        let deadline = ContinuousClock.now + .seconds(20)
        while client.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let status = client.waitForExitOrKill()
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(status == 0, "smtplib client said: \(output)")
        #expect(output.contains("OK"))
        await server.shutdown()

        let messages = received.all
        #expect(messages.count == 3)
        #expect(messages.first.map { String(buffer: $0.data) } == "Subject: hello\r\n\r\n.leading dot\r\n..two dots\r\nend\r\n")
        #expect(messages.first?.envelope.recipients == ["one@x.test", "two@x.test"])
        #expect(messages.first?.clientName == "python.test")
        #expect(messages.last?.envelope.recipients == ["p@x.test"])
    }

    @Test func shutdownClosesOpenSessions() async throws {
        let (server, _) = try await self.startServer()
        let connection = try await SMTPConnection.connect(to: SMTPTestSupport.configuration(port: server.port))
        #expect(connection.isUsable)
        await server.shutdown()
        // The close reaches the client asynchronously; on a loaded machine that can take more than a moment.
        for _ in 0..<50 where connection.isUsable {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!connection.isUsable)
        let refused = await SMTPClientError.caught { _ = try await SMTPConnection.connect(to: SMTPTestSupport.configuration(port: server.port)) }
        #expect(refused != nil)
        try await connection.close()
    }

    @Test func idleClientsAreDisconnected() async throws {
        // Long enough that the greeting and EHLO finish first on a loaded machine; the wait after it is a bound that
        // holds under load, polled so that an unloaded run takes about the timeout.
        let server = try await SMTPServer.start(configuration: .init(idleTimeout: .seconds(2))) { _ in .accepted }
        let connection = try await SMTPConnection.connect(to: SMTPTestSupport.configuration(port: server.port))
        for _ in 0..<300 where connection.isUsable { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!connection.isUsable)
        try await connection.close()
        await server.shutdown()
    }
}
