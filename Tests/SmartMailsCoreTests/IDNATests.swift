import Testing
@testable import SmartMailsCore

@Suite struct IDNATests {
    /// RFC 3492 section 7.1 samples; basic code points keep their case.
    @Test(arguments: [
        ("\u{0644}\u{064A}\u{0647}\u{0645}\u{0627}\u{0628}\u{062A}\u{0643}\u{0644}\u{0645}\u{0648}\u{0634}\u{0639}\u{0631}\u{0628}\u{064A}\u{061F}", "egbpdaj6bu4bxfgehfvwxn"),
        ("\u{4ED6}\u{4EEC}\u{4E3A}\u{4EC0}\u{4E48}\u{4E0D}\u{8BF4}\u{4E2D}\u{6587}", "ihqwcrb4cv8a8dqg056pqjye"),
        ("Pro\u{010D}prost\u{011B}nemluv\u{00ED}\u{010D}esky", "Proprostnemluvesky-uyb24dma41a"),
        ("3\u{5E74}B\u{7D44}\u{91D1}\u{516B}\u{5148}\u{751F}", "3B-ww4c5e180e575a65lsy2b"),
        ("-> $1.00 <-", "-> $1.00 <--"),
    ])
    func punycodeMatchesRFC3492Samples(unicode: String, encoded: String) {
        #expect(IDNA.punycode(Array(unicode.unicodeScalars)) == encoded)
    }

    @Test(arguments: [
        ("bücher.example", "xn--bcher-kva.example"),
        ("münchen.de", "xn--mnchen-3ya.de"),
        ("ÉXAMPLE.com", "xn--xample-9ua.com"),
        ("example.COM", "example.com"),
        ("Bücher.Example", "xn--bcher-kva.example"),
        ("bu\u{0308}cher.example", "xn--bcher-kva.example"),
        ("日本語。jp", "xn--wgv71a119e.jp"),
        ("bücher．example｡org", "xn--bcher-kva.example.org"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("mail-1.123.example", "mail-1.123.example"),
    ])
    func domainsBecomeALabels(domain: String, ascii: String) {
        #expect(IDNA.asciiDomain(domain) == ascii)
    }

    @Test(arguments: [
        "", ".", "example.com.", ".example.com", "a..b", "-abc.com", "abc-.com", "a_b.com", "a b.com", "exa@mple.com",
        "bü cher.de", "bü-.de", "-bü.de", "bü\u{3000}cher.de", String(repeating: "a", count: 64) + ".com",
        String(repeating: "ü", count: 60) + ".de",
    ])
    func nonHostnamesAreRefused(domain: String) {
        #expect(IDNA.asciiDomain(domain) == nil)
    }

    @Test func lengthLimits() {
        let label63 = String(repeating: "a", count: 63)
        #expect(IDNA.asciiDomain(label63 + ".com") == label63 + ".com")
        let longest = [label63, label63, label63, String(repeating: "b", count: 61)].joined(separator: ".")
        #expect(longest.utf8.count == 253)
        #expect(IDNA.asciiDomain(longest) == longest)
        #expect(IDNA.asciiDomain(longest + "b") == nil)
    }
}
