import NIOCore
import SMTPKit
import Testing

@Suite("SMTP message preparation (dot-stuffing, CRLF)")
struct SMTPPreparedMessageTests {
    @Test func wireFormMessageIsNotCopied() {
        let input = ByteBuffer(string: "Subject: hi\r\n\r\nbody\r\n")
        let prepared = SMTPPreparedMessage(input)
        #expect(prepared.wireBytes == input)
        // Same storage: the prepared message shares the caller's bytes.
        let sameStorage = input.withUnsafeReadableBytes { a in prepared.wireBytes.withUnsafeReadableBytes { b in a.baseAddress == b.baseAddress } }
        #expect(sameStorage)
        #expect(!prepared.has8BitData)
    }

    @Test func dotsAreStuffedAndLineEndsNormalised() {
        let prepared = SMTPPreparedMessage("Subject: x\n\n.leading dot\r\n..two\rlone CR\nlast line without end")
        #expect(String(buffer: prepared.wireBytes) == "Subject: x\r\n\r\n..leading dot\r\n...two\r\nlone CR\r\nlast line without end\r\n")
    }

    @Test func singleDotLineIsStuffed() {
        let prepared = SMTPPreparedMessage(".\r\n")
        #expect(String(buffer: prepared.wireBytes) == "..\r\n")
    }

    @Test func eightBitInBodyOnly() {
        let prepared = SMTPPreparedMessage("Subject: plain\r\n\r\nGrüße\r\n")
        #expect(prepared.has8BitData)
        #expect(!prepared.headersNeedSMTPUTF8)
    }

    @Test func eightBitInHeaders() {
        let prepared = SMTPPreparedMessage("Subject: Grüße\r\n\r\nbody\r\n")
        #expect(prepared.has8BitData)
        #expect(prepared.headersNeedSMTPUTF8)
    }
}
