import Foundation
import NIOCore
import SMTPKit
import Testing

/// Signing in place must give exactly the bytes of `sign`, whether the field fits in the headroom or not.
@Suite struct DKIMPrependTests {
    static let date = Date(timeIntervalSince1970: 1_764_091_080)

    static func messages() throws -> [[UInt8]] {
        let crlf = try DKIMTestSupport.sampleMessage(bodyRepeats: 3)
        let lf = crlf.filter { $0 != 13 }
        return [crlf, lf]
    }

    @Test(arguments: [DKIMAlgorithm.ed25519SHA256, .rsaSHA256], [0, 64, 1024])
    func prependingMatchesSign(algorithm: DKIMAlgorithm, headroom: Int) throws {
        let signer = try DKIMTestSupport.signer(algorithm)
        for message in try Self.messages() {
            var buffer = ByteBuffer()
            buffer.writeRepeatingByte(0x58, count: headroom)
            buffer.moveReaderIndex(forwardBy: headroom)
            buffer.writeBytes(message)
            try signer.prependSignature(to: &buffer, at: Self.date)
            #expect(Array(buffer.readableBytesView) == (try signer.sign(message, at: Self.date)))
        }
    }
}
