import NIOCore
import NIOPosix
import NIOSSL

/// Connections to one SMTP server, shared by concurrent senders: capped in number, reused across messages, retired after
/// a number of messages or when idle, and never reused after a network error, a timeout or a 421.
public actor SMTPConnectionPool {
    /// Limits of the pool.
    public struct Configuration: Sendable, Hashable {
        public var maximumConnections: Int
        /// After this many messages a connection is closed and replaced, as many servers limit messages per session.
        public var maximumMessagesPerConnection: Int
        /// An idle connection older than this is closed rather than reused.
        public var idleTimeout: Duration

        public init(maximumConnections: Int = 4, maximumMessagesPerConnection: Int = 100, idleTimeout: Duration = .seconds(30)) {
            precondition(maximumConnections > 0 && maximumMessagesPerConnection > 0)
            self.maximumConnections = maximumConnections
            self.maximumMessagesPerConnection = maximumMessagesPerConnection
            self.idleTimeout = idleTimeout
        }
    }

    /// Counters, for tests and metrics.
    public struct Statistics: Sendable, Hashable {
        public var openConnections = 0
        public var idleConnections = 0
        public var peakOpenConnections = 0
        public var connectionsOpened = 0
        public var connectionsDiscarded = 0
        public var waitingSenders = 0
    }

    private struct Lease: Sendable {
        var connection: SMTPConnection
        var messagesSent: Int
    }

    private struct Idle {
        var lease: Lease
        var since: ContinuousClock.Instant
    }

    /// What a waiting sender is given: a connection, or the right to open one.
    private enum Grant: Sendable {
        case lease(Lease)
        case open
    }

    private let server: SMTPServerConfiguration
    private let configuration: Configuration
    private let eventLoopGroup: any EventLoopGroup
    private let sslContext: NIOSSLContext?
    private var idle: [Idle] = []
    /// Connections lent out or being opened.
    private var busy = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<Grant, any Error>)] = []
    private var nextWaiterID = 0
    private var drained: [CheckedContinuation<Void, Never>] = []
    private var isShutDown = false
    private var sweeper: Task<Void, Never>?
    private var counters = Statistics()

    public init(
        server: SMTPServerConfiguration,
        configuration: Configuration = Configuration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws {
        self.server = server
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.sslContext = try server.makeSSLContext()
    }

    public var statistics: Statistics {
        var statistics = self.counters
        statistics.idleConnections = self.idle.count
        statistics.openConnections = self.idle.count + self.busy
        statistics.waitingSenders = self.waiters.count
        return statistics
    }

    /// Sends one message on a pooled connection, opening one when none is free and the cap allows.
    public nonisolated func send(_ envelope: SMTPEnvelope, message: ByteBuffer) async throws -> SMTPSendResult {
        try await self.send(envelope, message: SMTPPreparedMessage(message))
    }

    /// Sends one prepared message on a pooled connection; errors are `SMTPClientError`s.
    public nonisolated func send(_ envelope: SMTPEnvelope, message: SMTPPreparedMessage) async throws -> SMTPSendResult {
        let lease = try await self.lease()
        do {
            let result = try await lease.connection.send(envelope, message: message)
            await self.release(lease)
            return result
        } catch {
            await self.release(lease)
            throw error
        }
    }

    /// Refuses new sends, waits for those in flight, and closes every connection with QUIT.
    public func shutdown() async {
        guard !self.isShutDown else { return }
        self.isShutDown = true
        self.sweeper?.cancel()
        self.sweeper = nil
        for waiter in self.waiters { waiter.continuation.resume(throwing: SMTPClientError.poolShutDown) }
        self.waiters = []
        let idle = self.idle
        self.idle = []
        for entry in idle { try? await entry.lease.connection.close() }
        if self.busy > 0 {
            await withCheckedContinuation { self.drained.append($0) }
        }
    }

    // MARK: Leasing

    private func lease() async throws -> Lease {
        guard !self.isShutDown else { throw SMTPClientError.poolShutDown }
        let now = ContinuousClock.now
        // Most recently used first: it is the least likely to have been dropped by the server.
        while let entry = self.idle.popLast() {
            if entry.lease.connection.isUsable && now - entry.since < self.configuration.idleTimeout {
                self.busy += 1
                return entry.lease
            }
            self.counters.connectionsDiscarded += 1
            Task { try? await entry.lease.connection.close() }
        }
        if self.busy < self.configuration.maximumConnections {
            self.busy += 1
            return try await self.open()
        }
        switch try await self.waitForGrant() {
        case .lease(let lease): return lease
        case .open: return try await self.open()
        }
    }

    /// Opens a connection for a slot already counted in `busy`.
    private func open() async throws -> Lease {
        self.counters.connectionsOpened += 1
        self.counters.peakOpenConnections = max(self.counters.peakOpenConnections, self.busy + self.idle.count)
        do {
            let connection = try await SMTPConnection.connect(to: self.server, sslContext: self.sslContext, eventLoopGroup: self.eventLoopGroup)
            if self.isShutDown {
                try? await connection.close()
                self.slotFreed()
                throw SMTPClientError.poolShutDown
            }
            return Lease(connection: connection, messagesSent: 0)
        } catch {
            self.slotFreed()
            throw error
        }
    }

    private func waitForGrant() async throws -> Grant {
        let id = self.nextWaiterID
        self.nextWaiterID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                self.waiters.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = self.waiters.firstIndex(where: { $0.id == id }) else { return }
        self.waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    private func release(_ lease: Lease) async {
        var lease = lease
        lease.messagesSent += 1
        if !self.isShutDown && lease.connection.isUsable && lease.messagesSent < self.configuration.maximumMessagesPerConnection {
            if !self.waiters.isEmpty {
                self.waiters.removeFirst().continuation.resume(returning: .lease(lease))
                return
            }
            self.busy -= 1
            self.idle.append(Idle(lease: lease, since: .now))
            self.startSweeperIfNeeded()
            return
        }
        self.counters.connectionsDiscarded += 1
        self.slotFreed()
        try? await lease.connection.close()
    }

    /// A busy slot is gone: hand it to a waiter as the right to open a connection, or report the drain.
    private func slotFreed() {
        if !self.isShutDown, !self.waiters.isEmpty {
            self.waiters.removeFirst().continuation.resume(returning: .open)
            return
        }
        self.busy -= 1
        if self.busy == 0 {
            for continuation in self.drained { continuation.resume() }
            self.drained = []
        }
    }

    // MARK: Idle timeout

    private func startSweeperIfNeeded() {
        guard self.sweeper == nil else { return }
        let interval = max(self.configuration.idleTimeout / 2, .milliseconds(10))
        self.sweeper = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self, await self.sweep() else { return }
            }
        }
    }

    /// Closes idle connections past their time; returns false once nothing is left to watch.
    private func sweep() async -> Bool {
        let now = ContinuousClock.now
        let expired = self.idle.filter { now - $0.since >= self.configuration.idleTimeout || !$0.lease.connection.isUsable }
        self.idle.removeAll { now - $0.since >= self.configuration.idleTimeout || !$0.lease.connection.isUsable }
        self.counters.connectionsDiscarded += expired.count
        if self.idle.isEmpty { self.sweeper = nil }
        let keepGoing = !self.idle.isEmpty && !self.isShutDown
        for entry in expired { try? await entry.lease.connection.close() }
        return keepGoing
    }
}
