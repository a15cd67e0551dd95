import Foundation
import SMTPKit
import Testing

/// Keys made once per test run (RSA generation is the slow part) and the dkimpy verifier bridge.
enum DKIMTestSupport {
    static let domain = "example.com"
    static let selector = "s2025"
    static let rsaKey: DKIMPrivateKey = try! DKIMPrivateKey.generateRSA()
    static let ed25519Key = DKIMPrivateKey.generateEd25519()

    static func key(_ algorithm: DKIMAlgorithm) -> DKIMPrivateKey {
        algorithm == .rsaSHA256 ? rsaKey : ed25519Key
    }

    static func signer(
        _ algorithm: DKIMAlgorithm,
        _ canonicalization: DKIMCanonicalization = .relaxed
    ) throws -> DKIMSigner {
        try DKIMSigner(domain: domain, selector: selector, key: key(algorithm), canonicalization: canonicalization)
    }

    /// dkimpy's verdicts: `passed[i]` for message i, and its report lines (with reasons) for failure messages.
    struct Verdicts: CustomStringConvertible {
        var passed: [Bool]
        var description: String
    }

    /// Runs dkimpy over `messages` with `record` standing in for DNS.
    static func verify(_ messages: [[UInt8]], record: DKIMDNSRecord) async throws -> Verdicts {
        let recordFile = try MIMETestSupport.temporaryFile(Array(record.value.utf8), suffix: ".txt")
        let files = try messages.map { try MIMETestSupport.temporaryFile($0) }
        defer {
            for file in files + [recordFile] { try? FileManager.default.removeItem(at: file) }
        }
        let result = try await MIMETestSupport.runPython("DKIM/verify_dkim.py", [record.name, recordFile.path] + files.map(\.path))
        let lines = result.stdout.split(separator: "\n")
        try #require(lines.count == messages.count, "verify_dkim.py: \(result.stdout) \(result.stderr)")
        return Verdicts(passed: lines.map { $0 == "pass" }, description: lines.joined(separator: "\n"))
    }

    static func verify(_ message: [UInt8], record: DKIMDNSRecord) async throws -> Verdicts {
        try await verify([message], record: record)
    }

    static func record(_ algorithm: DKIMAlgorithm) -> DKIMDNSRecord {
        key(algorithm).dnsRecord(selector: selector, domain: domain)
    }

    /// A 20 KB-ish message like the benchmark's, built by our MIME builder.
    static func sampleMessage(bodyRepeats: Int = 40) throws -> [UInt8] {
        var message = try MIMESamples.alternative()
        message.from = try MIMEAddress("news@example.com", displayName: "Example News")
        message.textBody = String(repeating: message.textBody! + "\n", count: bodyRepeats)
        return try MIMESamples.builder.build(message)
    }

    static func replacing(_ old: String, with new: String, in message: [UInt8]) -> [UInt8] {
        let text = String(decoding: message, as: UTF8.self)
        precondition(text.contains(old), "sample lacks \(old)")
        return Array(text.replacingOccurrences(of: old, with: new).utf8)
    }
}
