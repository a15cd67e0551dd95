import Foundation
import HummingbirdTesting
import NIOCore
import NIOPosix
import SmartMailsServer
import SmartMailsTestSupport
import Testing

/// Connections that send nothing, or half a request, are closed after the idle timeout, so slow clients cannot hold
/// the server's connections; a connection in use is not.
@Suite(.timeLimit(.minutes(1))) struct HTTPTimeoutTests {
    /// Long enough that a machine busy with the whole suite still reads the first request in time (1 s was not, once
    /// the contacts tests joined it), far shorter than `closeWithin`.
    static let idleTimeout: Duration = .seconds(3)
    /// Generous: a loaded machine may be slow to notice a timer, but the connection must close well before this.
    static let closeWithin: Duration = .seconds(15)

    @Test(arguments: ["", "GET /healthz HTTP/1.1\r\nHost: loc"])
    func aConnectionWithoutAWholeRequestHeadIsClosed(sent: String) async throws {
        try await TestApp.run(on: .sqlite, mode: .live, configure: { $0.idleTimeout = Self.idleTimeout }) { _, client in
            let port = try #require(client.port)
            let (received, closed) = try await Self.send([sent], port: port)
            #expect(closed, "the connection was still open after \(Self.closeWithin)")
            #expect(received.isEmpty || received.hasPrefix("HTTP/1.1 4"), "answered: \(received.prefix(80))")
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosedAfterItsAnswers() async throws {
        try await TestApp.run(on: .sqlite, mode: .live, configure: { $0.idleTimeout = Self.idleTimeout }) { _, client in
            let port = try #require(client.port)
            let request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
            // Two requests with a pause shorter than the timeout between them: both are answered on one connection.
            let (received, closed) = try await Self.send([request, request], port: port, pause: .milliseconds(200))
            #expect(received.components(separatedBy: "HTTP/1.1 200").count - 1 == 2)
            #expect(closed, "the idle connection was still open after \(Self.closeWithin)")
        }
    }

    /// Sends each part in turn (`pause` between them), then reads until the server closes the connection or
    /// `closeWithin` passes; returns what arrived and whether the server closed.
    static func send(_ parts: [String], port: Int, pause: Duration = .zero) async throws -> (String, closed: Bool) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                group.addTask {
                    var received = ""
                    for try await chunk in inbound { received += String(buffer: chunk) }
                    return (received, true)
                }
                group.addTask {
                    for (index, part) in parts.enumerated() {
                        if index > 0 { try await Task.sleep(for: pause) }
                        if !part.isEmpty { try await outbound.write(ByteBuffer(string: part)) }
                    }
                    try await Task.sleep(for: closeWithin)
                    return ("", false)
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
        }
    }
}
