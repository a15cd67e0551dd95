import SMTPKit
import Testing

/// CR or LF anywhere a header is made from caller input must be refused with a typed error (no header injection).
@Suite struct MIMEHeaderSafetyTests {
    static let injections = ["a\r\nBcc: victim@example.com", "a\nBcc: x@y.z", "a\rb", "nul\u{0}byte"]

    @Test(arguments: injections)
    func subjectInjectionIsRefused(value: String) throws {
        var message = try MIMESamples.plain()
        message.subject = value
        #expect(throws: MIMEError.invalidHeaderValue(name: "Subject", value: value)) {
            try MIMESamples.builder.build(message)
        }
    }

    @Test(arguments: injections)
    func customHeaderValueInjectionIsRefused(value: String) {
        #expect(throws: MIMEError.invalidHeaderValue(name: "X-Test", value: value)) {
            try MIMEHeaderField("X-Test", value)
        }
    }

    @Test(arguments: ["", "X Test", "X:Test", "X-Tëst", "X-Test\r\nBcc", "X-\u{7F}", String(repeating: "X", count: 77)])
    func invalidHeaderNamesAreRefused(name: String) {
        #expect(throws: MIMEError.invalidHeaderName(name)) { try MIMEHeaderField(name, "v") }
    }

    @Test(arguments: ["From", "content-type", "MIME-Version", "Bcc", "Message-ID"])
    func reservedHeadersAreRefused(name: String) throws {
        var message = try MIMESamples.plain()
        message.headers = [try MIMEHeaderField(name, "x@example.com")]
        #expect(throws: MIMEError.reservedHeader(name)) { try MIMESamples.builder.build(message) }
    }

    @Test(arguments: [
        "bob@example.com\r\nBcc: x@y.z", "bob@example.com\n", "bob @example.com", "bob", "@example.com", "bob@",
        "bob@exa mple.com", "bob@-example.com", "bö@example.com", "bob@exämple.com", "<bob@example.com>",
        "bob@example.com>, evil@x.y", ".bob@example.com",
    ])
    func invalidAddressesAreRefused(address: String) {
        #expect(throws: MIMEError.invalidAddress(address)) { try MIMEAddress(address) }
    }

    @Test func displayNameWithLineBreakIsRefused() {
        #expect(throws: MIMEError.invalidAddress("Eve\r\nBcc: x@y.z")) {
            try MIMEAddress("eve@example.com", displayName: "Eve\r\nBcc: x@y.z")
        }
    }

    @Test func validAddressesAreAccepted() throws {
        for address in ["a@b.c", "first.last+tag@sub.example.co.uk", "o'brien@example.ie", "x@[192.0.2.1]", "UPPER@EXAMPLE.COM"] {
            #expect((try MIMEAddress(address)).address == address)
        }
    }

    @Test(arguments: ["id\r\nBcc: x@y.z@example.com", "has space@example.com", "<a<b@example.com>", ""])
    func badMessageIDIsRefused(id: String) throws {
        var message = try MIMESamples.plain()
        message.messageID = id
        #expect(throws: MIMEError.self) { try MIMESamples.builder.build(message) }
    }

    @Test func attachmentParametersAreChecked() throws {
        var message = try MIMESamples.plain()
        message.attachments = [MIMEAttachment(filename: "a\r\nContent-Type: text/html", contentType: "text/plain", data: [1])]
        #expect(throws: MIMEError.invalidParameter(name: "filename", value: "a\r\nContent-Type: text/html")) {
            try MIMESamples.builder.build(message)
        }
        for contentType in ["text", "text/plain\r\nX: y", "te xt/plain", "text/plain/x", "/plain"] {
            message.attachments = [MIMEAttachment(filename: "a.txt", contentType: contentType, data: [1])]
            #expect(throws: MIMEError.invalidParameter(name: "Content-Type", value: contentType)) {
                try MIMESamples.builder.build(message)
            }
        }
        message.attachments = [.inlineImage(contentID: "x>\r\nX: y", filename: "a.png", contentType: "image/png", data: [1])]
        #expect(throws: MIMEError.invalidParameter(name: "Content-ID", value: "x>\r\nX: y")) {
            try MIMESamples.builder.build(message)
        }
    }

    @Test func boundarySeedIsChecked() throws {
        let message = try MIMESamples.plain()
        #expect(throws: MIMEError.invalidParameter(name: "boundarySeed", value: "a\"b")) {
            try MIMEBuilder(boundarySeed: "a\"b").build(message)
        }
    }
}
