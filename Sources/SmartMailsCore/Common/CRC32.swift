/// CRC-32 (IEEE 802.3, the zlib polynomial): the checksum inside API keys, so typos are caught without a database read.
public enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (0xEDB8_8320 ^ (crc >> 1)) : (crc >> 1) }
        return crc
    }

    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var running = Running()
        for byte in bytes { running.update(byte) }
        return running.value
    }

    /// A checksum fed one byte at a time, for callers that inspect each byte anyway.
    public struct Running {
        private var crc: UInt32 = 0xFFFF_FFFF

        public init() {}

        @inline(__always)
        public mutating func update(_ byte: UInt8) {
            crc = CRC32.table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }

        public var value: UInt32 { crc ^ 0xFFFF_FFFF }
    }
}
