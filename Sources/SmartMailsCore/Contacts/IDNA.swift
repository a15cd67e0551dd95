import Foundation

/// IDNA A-labels (Punycode, RFC 3492) for e-mail domains, so `Bücher.Example` and `xn--bcher-kva.example` are one
/// domain for suppression lists, rate limits and DNS lookups.
public enum IDNA {
    /// The ASCII (A-label) form of a domain: lower-cased, each label NFC-normalised and Punycode-encoded with `xn--`
    /// when it has non-ASCII characters; the ideographic full stops U+3002, U+FF0E and U+FF61 count as dots.
    /// nil when it cannot be a hostname: an empty label (or a trailing dot), a label over 63 bytes or the whole over
    /// 253, ASCII characters other than letters, digits and hyphen, or a hyphen at a label's start or end.
    public static func asciiDomain(_ domain: String) -> String? {
        let dots: Set<Unicode.Scalar> = ["\u{3002}", "\u{FF0E}", "\u{FF61}"]
        var unified = String.UnicodeScalarView()
        for scalar in domain.unicodeScalars { unified.append(dots.contains(scalar) ? "." : scalar) }
        let lowered = String(unified).lowercased()
        var labels: [String] = []
        for label in lowered.split(separator: ".", omittingEmptySubsequences: false) {
            guard let ascii = asciiLabel(String(label).precomposedStringWithCanonicalMapping) else { return nil }
            labels.append(ascii)
        }
        let result = labels.joined(separator: ".")
        return result.utf8.count <= 253 ? result : nil
    }

    /// One lower-cased, NFC label as an LDH label or an `xn--` A-label.
    private static func asciiLabel(_ label: String) -> String? {
        let scalars = Array(label.unicodeScalars)
        guard let first = scalars.first, let last = scalars.last, first != "-", last != "-" else { return nil }
        for scalar in scalars {
            if scalar.isASCII {
                guard ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-" else { return nil }
            } else if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control {
                return nil
            }
        }
        let encoded: String
        if scalars.allSatisfy(\.isASCII) {
            encoded = label
        } else {
            guard let punycode = punycode(scalars) else { return nil }
            encoded = "xn--" + punycode
        }
        return encoded.utf8.count <= 63 ? encoded : nil
    }

    /// RFC 3492 section 6.3 encoding; basic code points are copied as they are (case included). nil on overflow.
    static func punycode(_ input: [Unicode.Scalar]) -> String? {
        let base: UInt32 = 36, tMin: UInt32 = 1, tMax: UInt32 = 26
        var output: [UInt8] = input.filter(\.isASCII).map { UInt8($0.value) }
        let basicCount = UInt32(output.count)
        if basicCount > 0 { output.append(UInt8(ascii: "-")) }
        var n: UInt32 = 128, delta: UInt32 = 0, bias: UInt32 = 72, handled = basicCount
        while handled < UInt32(input.count) {
            guard let next = input.lazy.map(\.value).filter({ $0 >= n }).min() else { return nil }
            let (step, stepOverflow) = (next - n).multipliedReportingOverflow(by: handled + 1)
            let (sum, sumOverflow) = delta.addingReportingOverflow(step)
            guard !stepOverflow, !sumOverflow else { return nil }
            delta = sum
            n = next
            for scalar in input {
                if scalar.value < n {
                    guard delta < UInt32.max else { return nil }
                    delta += 1
                }
                guard scalar.value == n else { continue }
                var q = delta
                var k = base
                while true {
                    let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                    if q < t { break }
                    output.append(digit(t + (q - t) % (base - t)))
                    q = (q - t) / (base - t)
                    k += base
                }
                output.append(digit(q))
                bias = adapt(delta: delta, pointCount: handled + 1, first: handled == basicCount)
                delta = 0
                handled += 1
            }
            guard delta < UInt32.max else { return nil }
            delta += 1
            n += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bias adaptation of RFC 3492 section 6.1 (damp 700, skew 38).
    private static func adapt(delta: UInt32, pointCount: UInt32, first: Bool) -> UInt32 {
        var delta = first ? delta / 700 : delta / 2
        delta += delta / pointCount
        var k: UInt32 = 0
        while delta > ((36 - 1) * 26) / 2 {
            delta /= 36 - 1
            k += 36
        }
        return k + (36 - 1 + 1) * delta / (delta + 38)
    }

    private static func digit(_ value: UInt32) -> UInt8 {
        value < 26 ? UInt8(ascii: "a") + UInt8(value) : UInt8(ascii: "0") + UInt8(value - 26)
    }
}
