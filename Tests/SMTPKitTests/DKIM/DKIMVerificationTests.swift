import Foundation
import SMTPKit
import Testing

/// Every algorithm and canonicalisation must verify with dkimpy, and tampering must make it fail.
@Suite struct DKIMVerificationTests {
    static let algorithms: [DKIMAlgorithm] = [.rsaSHA256, .ed25519SHA256]
    static let canonicalizations: [DKIMCanonicalization] = [
        .relaxed, .simple, .init(header: .relaxed, body: .simple), .init(header: .simple, body: .relaxed),
    ]

    @Test(arguments: algorithms, canonicalizations)
    func signedMessageVerifies(algorithm: DKIMAlgorithm, canonicalization: DKIMCanonicalization) async throws {
        let signer = try DKIMTestSupport.signer(algorithm, canonicalization)
        let message = try DKIMTestSupport.sampleMessage()
        let signed = try signer.sign(message)
        #expect(signed.count > message.count)
        #expect(Array(signed.suffix(message.count)) == message)
        let verdict = try await DKIMTestSupport.verify(signed, record: DKIMTestSupport.record(algorithm))
        #expect(verdict.passed == [true], "\(verdict)")
    }

    @Test(arguments: algorithms, [DKIMCanonicalization.relaxed, .simple])
    func tamperingFailsVerification(algorithm: DKIMAlgorithm, canonicalization: DKIMCanonicalization) async throws {
        let signer = try DKIMTestSupport.signer(algorithm, canonicalization)
        let signed = try signer.sign(try DKIMTestSupport.sampleMessage())
        let tampered = [
            DKIMTestSupport.replacing("20 % Rabatt", with: "90 % Rabatt", in: signed),  // body
            DKIMTestSupport.replacing("Reply-To: reply@example.de", with: "Reply-To: evil@example.net", in: signed),
            DKIMTestSupport.replacing("List-Unsubscribe-Post: List-Unsubscribe=One-Click", with: "List-Unsubscribe-Post: nope", in: signed),
            Array("From: Evil <evil@example.net>\r\n".utf8) + signed,  // over-signed: an added From must break it
            Array("Subject: Urgent: verify your account\r\n".utf8) + signed,
            DKIMTestSupport.replacing("Subject:", with: "From: Evil <evil@example.net>\r\nSubject:", in: signed),
            signed + Array("\r\nP.S. appended text\r\n".utf8),  // no l=, so appending breaks it
        ]
        let verdicts = try await DKIMTestSupport.verify([signed] + tampered, record: DKIMTestSupport.record(algorithm))
        #expect(verdicts.passed == [true] + Array(repeating: false, count: tampered.count), "\(verdicts)")
    }

    /// Without over-signing, a Subject added above the signed one goes unnoticed (verifiers read the
    /// bottom-most instance) while readers may show the top one; listing it once more than it occurs closes that
    /// hole. (dkimpy itself always re-checks From, so From cannot show the difference, only that it fails.)
    @Test func overSigningIsWhatStopsAnAddedSubject() async throws {
        let message = try DKIMTestSupport.sampleMessage(bodyRepeats: 1)
        let key = DKIMTestSupport.ed25519Key
        let record = DKIMTestSupport.record(.ed25519SHA256)
        let plain = try DKIMSigner(domain: DKIMTestSupport.domain, selector: DKIMTestSupport.selector, key: key, overSignedHeaders: [])
        let overSigned = try DKIMSigner(domain: DKIMTestSupport.domain, selector: DKIMTestSupport.selector, key: key)
        let extra = Array("Subject: Urgent: verify your account\r\n".utf8)
        let verdicts = try await DKIMTestSupport.verify(
            [extra + (try plain.sign(message)), extra + (try overSigned.sign(message))],
            record: record
        )
        #expect(verdicts.passed == [true, false], "\(verdicts)")
    }

    @Test func unsignedHeadersMayChange() async throws {
        let signed = try DKIMTestSupport.signer(.ed25519SHA256).sign(try DKIMTestSupport.sampleMessage())
        let changed = DKIMTestSupport.replacing("X-Campaign:", with: "X-Spam-Score: 0\r\nX-Campaign:", in: signed)
        #expect(try await DKIMTestSupport.verify(changed, record: DKIMTestSupport.record(.ed25519SHA256)).passed == [true])
    }

    @Test func relaxedSurvivesWhitespaceChangesThatBreakSimple() async throws {
        let message = try DKIMTestSupport.sampleMessage(bodyRepeats: 2)
        func rewrap(_ signed: [UInt8]) -> [UInt8] {
            var text = DKIMTestSupport.replacing("Subject: =?UTF-8?Q?", with: "SUBJECT:   =?UTF-8?Q?", in: signed)
            text = DKIMTestSupport.replacing("Hallo Ana,\r\n", with: "Hallo  Ana, \t\r\n", in: text)
            return text + Array("\r\n\r\n".utf8)
        }
        let relaxed = rewrap(try DKIMTestSupport.signer(.rsaSHA256, .relaxed).sign(message))
        let simple = rewrap(try DKIMTestSupport.signer(.rsaSHA256, .simple).sign(message))
        #expect(try await DKIMTestSupport.verify([relaxed, simple], record: DKIMTestSupport.record(.rsaSHA256)).passed == [true, false])
    }

    /// Raw bytes from elsewhere: bare LF line ends, folded headers, tabs, odd spacing, trailing blank lines.
    @Test(arguments: algorithms, canonicalizations)
    func foreignMessagesVerify(algorithm: DKIMAlgorithm, canonicalization: DKIMCanonicalization) async throws {
        let crlf = Array("""
            Received: from relay.example.net by mx.example.com; Tue, 25 Nov 2025 17:18:00 +0000\r
            from:   "Someone"\r
            \t<someone@example.com>  \r
            To: a@example.org,\r
              b@example.org\r
            Subject:  A  folded\r
             subject\t\r
            subject: second subject header\r
            \r
              indented line  \r
            tabs\t\there\r
            \r
            \r
            """.utf8)
        let lf = crlf.filter { $0 != 13 }
        let empty = Array("From: x@example.com\r\nSubject: no body\r\n".utf8)
        let signer = try DKIMTestSupport.signer(algorithm, canonicalization)
        let signed = try [crlf, lf, empty].map { try signer.sign($0) }
        let lfSigned = signed[1]
        #expect(!lfSigned.contains(13), "a bare-LF message gets a bare-LF signature field")
        // dkimpy reads the LF file as is; mail on the wire is CRLF, so check the CRLF form of the LF message too.
        let wireForm = Array(String(decoding: lfSigned, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        #expect(try await DKIMTestSupport.verify([signed[0], wireForm, signed[2]], record: DKIMTestSupport.record(algorithm)).passed == [true, true, true])
    }
}
