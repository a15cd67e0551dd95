import NIOCore
import NIOPosix

/// Asks one recursive DNS server: over UDP, again on a timeout, and over TCP when the answer is truncated
/// (RFC 7766). Each lookup has its own socket and a random id, so an answer to another query is never taken.
public struct DNSResolver: Sendable {
    public let server: SocketAddress
    public let timeout: Duration
    public let attempts: Int
    let eventLoopGroup: any EventLoopGroup

    public init(server: SocketAddress, timeout: Duration = .seconds(2), attempts: Int = 2, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.server = server
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.eventLoopGroup = eventLoopGroup
    }

    /// The resolver at `host[:port]` (port 53 when none is given; `[v6]:port` for IPv6 with a port).
    public init(address text: String, timeout: Duration = .seconds(2), attempts: Int = 2) throws(DNSError) {
        var host = text
        var port = 53
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") { guard let given = Int(rest.dropFirst()) else { throw .invalidName(text) }; port = given }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            guard let given = Int(text[text.index(after: colon)...]) else { throw .invalidName(text) }
            port = given
        }
        do {
            self.init(server: try SocketAddress(ipAddress: host, port: port), timeout: timeout, attempts: attempts)
        } catch {
            throw .invalidName(text)
        }
    }

    /// The first `nameserver` of a resolv.conf (RFC-less, but every Unix has one), or nil when it names none.
    public static func systemServer(resolvConf: String) -> String? {
        for line in resolvConf.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count >= 2, fields[0] == "nameserver" {
                let address = String(fields[1])
                return address.contains(":") ? "[\(address)]:53" : address
            }
        }
        return nil
    }

    public func txt(_ name: String) async throws(DNSError) -> [String] {
        try await lookup(name, type: .txt).compactMap { if case .txt(let text) = $0.data { text } else { nil } }
    }

    public func mx(_ name: String) async throws(DNSError) -> [(preference: UInt16, exchange: String)] {
        try await lookup(name, type: .mx).compactMap { if case .mx(let preference, let exchange) = $0.data { (preference, exchange) } else { nil } }
    }

    /// The answer records (a CNAME chain the server followed included); empty when the name does not exist.
    public func lookup(_ name: String, type: DNSRecordType) async throws(DNSError) -> [DNSAnswer] {
        let id = UInt16.random(in: .min ... .max)
        let query = try DNSMessage.query(id: id, name: name, type: type)
        var response: DNSMessage.Response?
        for _ in 0..<attempts {
            response = try await exchangeUDP(query, id: id)
            if response != nil { break }
        }
        guard var answer = response else { throw .timeout(server: "\(server)") }
        if answer.truncated {
            guard let overTCP = try await exchangeTCP(query, id: id) else { throw .timeout(server: "\(server)") }
            answer = overTCP
        }
        switch answer.rcode {
        case 0, 3: return answer.answers  // NOERROR, NXDOMAIN
        default: throw .serverFailure(rcode: answer.rcode)
        }
    }

    /// One query over UDP: the matching answer, or nil on a timeout.
    private func exchangeUDP(_ query: [UInt8], id: UInt16) async throws(DNSError) -> DNSMessage.Response? {
        let server = self.server
        do {
            let channel = try await DatagramBootstrap(group: eventLoopGroup).bind(host: server.protocol == .inet6 ? "::" : "0.0.0.0", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                }
            }
            return try await withDeadline(timeout, onTimeout: { channel.channel.close(promise: nil) }) {
                try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(AddressedEnvelope(remoteAddress: server, data: ByteBuffer(bytes: query)))
                    for try await envelope in inbound where envelope.remoteAddress == server {
                        // Anything that is not the answer to this query (a late answer, garbage) is ignored.
                        if let response = try? DNSMessage.parse(Array(envelope.data.readableBytesView)), response.id == id { return response }
                    }
                    return nil
                }
            }
        } catch let error as DNSError {
            throw error
        } catch {
            throw .unreachable(server: "\(server)", reason: "\(error)")
        }
    }

    /// One query over TCP, each message after its two-byte length.
    private func exchangeTCP(_ query: [UInt8], id: UInt16) async throws(DNSError) -> DNSMessage.Response? {
        let server = self.server
        do {
            let channel = try await ClientBootstrap(group: eventLoopGroup).connectTimeout(.seconds(Int64(timeout.components.seconds) + 1)).connect(to: server) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
            return try await withDeadline(timeout, onTimeout: { channel.channel.close(promise: nil) }) {
                try await channel.executeThenClose { inbound, outbound in
                    var framed = ByteBuffer()
                    framed.writeInteger(UInt16(query.count))
                    framed.writeBytes(query)
                    try await outbound.write(framed)
                    var received = ByteBuffer()
                    for try await chunk in inbound {
                        received.writeImmutableBuffer(chunk)
                        guard let length = received.getInteger(at: received.readerIndex, as: UInt16.self), received.readableBytes >= 2 + Int(length) else { continue }
                        let bytes = Array(received.readableBytesView.dropFirst(2).prefix(Int(length)))
                        let response = try DNSMessage.parse(bytes)
                        guard response.id == id else { throw DNSError.malformedResponse("an answer to another query") }
                        return response
                    }
                    return nil
                }
            }
        } catch let error as DNSError {
            throw error
        } catch {
            throw .unreachable(server: "\(server)", reason: "\(error)")
        }
    }
}

/// `body`'s result, or nil when it has not finished after `timeout`. Then `onTimeout` runs (closing the channel
/// `body` reads, which ends its read at once: a cancelled read of a NIO channel may wait for the next datagram).
func withDeadline<T: Sendable>(
    _ timeout: Duration, onTimeout: @escaping @Sendable () -> Void, _ body: @escaping @Sendable () async throws -> T?
) async throws -> T? {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        let first = try await group.next() ?? nil
        // Closed after the timeout is taken as the answer: the error the closing raises in `body` is never collected.
        if first == nil { onTimeout() }
        group.cancelAll()
        return first
    }
}
