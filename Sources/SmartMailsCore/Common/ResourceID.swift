/// Generates the public ids of objects: a type prefix (`key_`, `aud_`, `ws_`), then 26 characters that sort by
/// creation time (48-bit milliseconds, then 80 random bits, Crockford base32), so lists page by id alone.
public enum ResourceID {
    private static let alphabet: [UInt8] = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    public static func make(prefix: String, at instant: Timestamp = .now) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(prefix: prefix, millisecondsSinceEpoch: UInt64(max(0, instant.millisecondsSinceEpoch)), using: &generator)
    }

    static func make<G: RandomNumberGenerator>(prefix: String, millisecondsSinceEpoch: UInt64, using generator: inout G) -> String {
        var chars = [UInt8](repeating: 0, count: 26)
        var time = millisecondsSinceEpoch
        for index in stride(from: 9, through: 0, by: -1) {
            chars[index] = alphabet[Int(time & 31)]
            time >>= 5
        }
        // Two draws give the 80 random bits; drawing per character would cost a getrandom call each, on every request.
        var random = (generator.next() as UInt64, generator.next() as UInt64)
        for index in 10..<26 {
            chars[index] = alphabet[Int(random.0 & 31)]
            random.0 = (random.0 >> 5) | (random.1 << 59)
            random.1 >>= 5
        }
        return prefix + "_" + String(decoding: chars, as: UTF8.self)
    }

    /// True when `id` has the given prefix and the shape `make` produces, so malformed ids are refused before a query.
    public static func isWellFormed(_ id: String, prefix: String) -> Bool {
        let utf8 = id.utf8
        guard utf8.count == prefix.utf8.count + 27, id.hasPrefix(prefix + "_") else { return false }
        return utf8.dropFirst(prefix.utf8.count + 1).allSatisfy { alphabet.contains($0) }
    }
}
