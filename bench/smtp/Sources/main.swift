// smtp-bench: renders, optionally DKIM-signs, and sends messages through SMTPKit's connection pool to an SMTP sink,
// and prints the rate.
// Usage: smtp-bench --port N [--host H] [--messages 40000] [--size 2048] [--connections 8] [--dkim rsa|ed25519] [--deadline 120]
import Foundation
import NIOCore
import SMTPKit
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var host = "127.0.0.1"
    var port = 0
    var messages = 40_000
    var size = 2048
    var connections = 8
    var dkim: String?
    var deadlineSeconds = 120

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--host": self.host = value
            case "--port": self.port = Int(value) ?? 0
            case "--messages": self.messages = Int(value) ?? self.messages
            case "--size": self.size = Int(value) ?? self.size
            case "--connections": self.connections = Int(value) ?? self.connections
            case "--dkim": self.dkim = value
            case "--deadline": self.deadlineSeconds = Int(value) ?? self.deadlineSeconds
            default:
                print("unknown option \(flag)")
                exit(2)
            }
        }
        if self.port == 0 {
            print("usage: smtp-bench --port N [--host H] [--messages N] [--size BYTES] [--connections N] [--dkim rsa|ed25519]")
            exit(2)
        }
    }
}

/// The body of every message: `size` bytes in 78-character lines, like smtp-source's.
func messageBody(size: Int) -> [UInt8] {
    let line = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnop".utf8)
    var body: [UInt8] = []
    body.reserveCapacity(size + 2)
    while body.count < size {
        body += line.prefix(size - body.count)
        body += [13, 10]
    }
    return body
}

/// Message `index`: a few headers of its own and the shared body.
func writeMessage(index: Int, body: [UInt8], into buffer: inout ByteBuffer) {
    buffer.writeString(
        "From: <bench@sender.test>\r\nTo: <sink@receiver.test>\r\nSubject: smtp-bench message \(index)\r\n"
            + "Date: Wed, 25 Nov 2026 12:00:00 +0000\r\nMessage-ID: <\(index).bench@sender.test>\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
    )
    buffer.writeBytes(body)
}

func peakRSSKilobytes() -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("VmHWM:") {
            return Int(text.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
    }
    return 0
}

let options = Options(CommandLine.arguments)

// Stop by ourselves whatever happens to the server.
let watchdog = Task.detached {
    do { try await Task.sleep(for: .seconds(options.deadlineSeconds)) } catch { return }
    print("smtp-bench: deadline of \(options.deadlineSeconds) s reached, giving up")
    exit(3)
}

// Each sender renders its next message into its own buffer, signs it and sends it, as a real sender would; holding
// all messages prebuilt would make peak RSS a measure of the benchmark rather than of SMTPKit. The buffer keeps
// headroom in front so that the DKIM-Signature field is prepended without copying the message.
let body = messageBody(size: options.size)
let headroom = 1024
let signer = try BenchSigner(options.dkim)

var configuration = SMTPServerConfiguration(host: options.host, port: options.port, security: .plaintext, heloName: "bench.test")
configuration.timeouts = .uniform(.seconds(30))
let pool = try SMTPConnectionPool(
    server: configuration,
    configuration: .init(maximumConnections: options.connections, maximumMessagesPerConnection: Int.max, idleTimeout: .seconds(60))
)
let next = Atomic<Int>(0)
let failures = Atomic<Int>(0)
let envelope = SMTPEnvelope(from: "bench@sender.test", recipients: ["sink@receiver.test"])

let start = ContinuousClock.now
await withTaskGroup(of: Void.self) { group in
    for _ in 0..<options.connections {
        group.addTask {
            var buffer = ByteBuffer()
            buffer.reserveCapacity(headroom + body.count + 512)
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < options.messages else { return }
                // The previous message is on the wire and released by now, so this reuses the storage.
                buffer.clear()
                buffer.moveWriterIndex(forwardBy: headroom)
                buffer.moveReaderIndex(forwardBy: headroom)
                writeMessage(index: index, body: body, into: &buffer)
                do {
                    _ = try await pool.send(envelope, message: try signer.prepare(&buffer))
                } catch {
                    if failures.add(1, ordering: .relaxed).oldValue < 5 { print("smtp-bench: send failed: \(error)") }
                }
            }
        }
    }
}
let elapsed = ContinuousClock.now - start
await pool.shutdown()
watchdog.cancel()

let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let rate = Double(options.messages) / seconds
let failed = failures.load(ordering: .relaxed)
print(
    "smtp-bench: messages=\(options.messages) size=\(options.size) connections=\(options.connections) dkim=\(options.dkim ?? "off")"
        + " failed=\(failed) seconds=\(Double(Int(seconds * 1000)) / 1000) rate=\(Int(rate)) peak_rss_kb=\(peakRSSKilobytes())"
)
exit(failed == 0 ? 0 : 1)
