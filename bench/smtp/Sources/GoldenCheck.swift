// TEMPORARY differential harness (removed before hand-off).
import Foundation
import NIOCore
import SMTPKit

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func goldenCheck() throws {
    var rng = SplitMix(state: 42)
    let ed = try DKIMPrivateKey(pemRepresentation: String(contentsOfFile: "/tmp/golden-ed.pem", encoding: .utf8))
    let rsa = try DKIMPrivateKey(pemRepresentation: String(contentsOfFile: "/tmp/golden-rsa.pem", encoding: .utf8))
    let date = Date(timeIntervalSince1970: 1_764_091_080)
    var signers: [DKIMSigner] = []
    for key in [ed, rsa] {
        for h in [DKIMCanonicalization.Mode.simple, .relaxed] {
            for b in [DKIMCanonicalization.Mode.simple, .relaxed] {
                signers.append(try DKIMSigner(domain: "example.com", selector: "s1", key: key,
                    canonicalization: .init(header: h, body: b), expiration: key.algorithm == .rsaSHA256 ? 3600 : nil))
            }
        }
    }
    let names = ["From", "from", "FROM", "Subject", "To", "Cc", "X-Other", "Date", "Message-ID", "Content-Type", "List-Id", "Sender", "reply-to"]
    let bodyAlphabet: [UInt8] = Array("abc .\t\r".utf8) + [0xC3, 0xA9, 0x41, 0x2E, 0x20, 0x20]
    let endings: [[UInt8]] = [[13, 10], [10], [13, 10], [13, 10], [13]]
    func line(_ maxLength: Int) -> [UInt8] {
        let n = Int.random(in: 0...maxLength, using: &rng)
        let plain = Bool.random(using: &rng)
        return (0..<n).map { _ in plain ? UInt8.random(in: 0x61...0x7A, using: &rng) : bodyAlphabet.randomElement(using: &rng)! }
    }
    for iteration in 0..<4000 {
        var m: [UInt8] = []
        let crlf = iteration % 5 != 0
        let eol: [UInt8] = crlf ? [13, 10] : [10]
        if iteration % 97 != 5 {
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                m += Array(names.randomElement(using: &rng)!.utf8)
                m += Array([" ", "", "\t", ""].randomElement(using: &rng)!.utf8) + [58]
                m += line(30)
                if Int.random(in: 0..<4, using: &rng) == 0 { m += eol + [[32], [9]].randomElement(using: &rng)! + line(20) }
                m += eol
            }
            if iteration % 3 != 0 { m += Array("From: a@b.c".utf8) + eol }
        }
        if iteration % 50 != 7 { m += eol }
        let lines = [0, 1, 2, 5, 40, 300].randomElement(using: &rng)!
        for _ in 0..<lines {
            let kind = Int.random(in: 0..<10, using: &rng)
            if kind == 0 { m += endings.randomElement(using: &rng)! }
            else if kind == 1 { m += Array(repeating: [32, 9].randomElement(using: &rng)!, count: Int.random(in: 1...3, using: &rng)) + eol }
            else if kind < 6 { m += Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnop".utf8.prefix(Int.random(in: 1...78, using: &rng))) + eol }
            else { m += line(120) + (crlf ? endings.randomElement(using: &rng)! : eol) }
        }
        if Bool.random(using: &rng) { m += Array(repeating: eol, count: Int.random(in: 0...3, using: &rng)).flatMap { $0 } }
        if iteration % 7 == 0 { m += line(10) }
        if iteration % 11 == 0 { m = Array(m.prefix(Int.random(in: 0...12, using: &rng))) }
        var out = "\(iteration):"
        let prepared = SMTPPreparedMessage(ByteBuffer(bytes: m))
        out += " w=\(Array(prepared.wireBytes.readableBytesView).reduce(UInt64(14695981039346656037)) { ($0 ^ UInt64($1)) &* 1099511628211 })/\(Array(prepared.wireBytes.readableBytesView).count) 8=\(prepared.has8BitData) u=\(prepared.headersNeedSMTPUTF8) s=\(prepared.size)"
        for signer in signers {
            do {
                let field = try signer.signatureHeader(for: m, at: date)
                let signed = try signer.sign(m, at: date)
                let signedBuffer = try signer.sign(ByteBuffer(bytes: m), at: date)
                precondition(Array(signedBuffer.readableBytesView) == signed)
                let fieldBuffer = try signer.signatureHeader(for: ByteBuffer(bytes: m), at: date)
                precondition(fieldBuffer == field)
                var roomy = ByteBuffer()
                roomy.writeRepeatingByte(0, count: 1024)
                roomy.moveReaderIndex(forwardBy: 1024)
                roomy.writeBytes(m)
                try signer.prependSignature(to: &roomy, at: date)
                precondition(Array(roomy.readableBytesView) == signed)
                var tight = ByteBuffer(bytes: m)
                try signer.prependSignature(to: &tight, at: date)
                precondition(Array(tight.readableBytesView) == signed)
                out += " |" + field + "|" + "\(signed.count)"
            } catch {
                out += " E:\(error)"
            }
        }
        print(out)
    }
}
