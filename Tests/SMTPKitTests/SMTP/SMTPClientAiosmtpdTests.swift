import Foundation
import NIOCore
import SMTPKit
import Testing

/// The client against aiosmtpd, a server no one here wrote; messages are checked byte for byte where it stored them.
@Suite("SMTP client against aiosmtpd", .serialized, .timeLimit(.minutes(1)))
struct SMTPClientAiosmtpdTests {
    static let tricky = "From: a@x.test\nTo: b@y.test\nSubject: dots\n\n.starts with a dot\n..two dots\n.\nline\r\nlast"
    /// What the server must have stored: CRLF everywhere, dots as written, a final CRLF.
    static let trickyExpected = "From: a@x.test\r\nTo: b@y.test\r\nSubject: dots\r\n\r\n.starts with a dot\r\n..two dots\r\n.\r\nline\r\nlast\r\n"

    @Test func plainSeveralMessagesOnOneConnection() async throws {
        try await withServer({ try await .aiosmtpd() }) { server in
            let connection = try await SMTPConnection.connect(to: SMTPTestSupport.configuration(port: server.port))
            #expect(connection.capabilities.supports8BitMIME)
            let envelope = SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test", "c@y.test"])
            for index in 0..<3 {
                let result = try await connection.send(envelope, message: ByteBuffer(string: Self.tricky + " \(index)"))
                #expect(result.acceptedRecipients == ["b@y.test", "c@y.test"])
                #expect(result.dataReply.code == 250)
            }
            try await connection.reset()
            try await connection.noop()
            try await connection.close()
            #expect(!connection.isUsable)

            let received = try server.receivedMessages()
            #expect(received.count == 3)
            #expect(server.connectionCount() == 1)
            for (index, message) in received.enumerated() {
                #expect(String(decoding: message.data, as: UTF8.self) == Self.trickyExpected.replacingOccurrences(of: "last\r\n", with: "last \(index)\r\n"))
                #expect(message.envelope["mail_from"] as? String == "a@x.test")
                #expect(message.envelope["rcpt_tos"] as? [String] == ["b@y.test", "c@y.test"])
            }
        }
    }

    @Test func startTLSWithTrustedCertificateAndAuthPlain() async throws {
        let certificate = try SMTPTestSupport.certificate()
        try await withServer({
            try await .aiosmtpd(["--tls", "starttls", "--cert", certificate.cert, "--key", certificate.key, "--auth", "user:secret", "--require-auth"])
        }) { server in
            var configuration = SMTPTestSupport.configuration(port: server.port, security: .startTLS)
            configuration.certificateVerification = .trustedCertificates(pem: certificate.pem)
            configuration.tlsServerName = "localhost"
            configuration.credentials = SMTPCredentials(username: "user", password: "secret", mechanism: .plain)
            let connection = try await SMTPConnection.connect(to: configuration)
            _ = try await connection.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: ByteBuffer(string: Self.tricky))
            try await connection.close()
            let received = try server.receivedMessages()
            #expect(received.count == 1)
            #expect(received.first?.envelope["tls"] as? Bool == true)
            #expect(received.first?.envelope["auth"] as? Bool == true)
            #expect(received.first.map { String(decoding: $0.data, as: UTF8.self) } == Self.trickyExpected)
        }
    }

    @Test func startTLSVerifiesCertificatesByDefault() async throws {
        let certificate = try SMTPTestSupport.certificate()
        try await withServer({ try await .aiosmtpd(["--tls", "starttls", "--cert", certificate.cert, "--key", certificate.key]) }) { server in
            var configuration = SMTPTestSupport.configuration(port: server.port, security: .startTLS)
            configuration.tlsServerName = "localhost"
            let error = await SMTPClientError.caught { _ = try await SMTPConnection.connect(to: configuration) }
            guard case .network(let text) = error else {
                Issue.record("expected a TLS failure, got \(String(describing: error))")
                return
            }
            #expect(text.contains("CERTIFICATE") || text.contains("certificate"), "\(text)")
            let received = try server.receivedMessages()
            #expect(received.isEmpty)
        }
    }

    @Test func startTLSWithoutVerificationAndAuthLogin() async throws {
        let certificate = try SMTPTestSupport.certificate()
        try await withServer({
            try await .aiosmtpd(["--tls", "starttls", "--cert", certificate.cert, "--key", certificate.key, "--auth", "user:secret", "--require-auth"])
        }) { server in
            var configuration = SMTPTestSupport.configuration(port: server.port, security: .startTLS)
            configuration.certificateVerification = .none
            configuration.credentials = SMTPCredentials(username: "user", password: "secret", mechanism: .login)
            let connection = try await SMTPConnection.connect(to: configuration)
            _ = try await connection.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: ByteBuffer(string: "Subject: x\r\n\r\nhi\r\n"))
            try await connection.close()
            #expect(try server.receivedMessages().first?.envelope["auth"] as? Bool == true)
        }
    }

    @Test func implicitTLSWithAuthLogin() async throws {
        let certificate = try SMTPTestSupport.certificate()
        try await withServer({
            try await .aiosmtpd(["--tls", "implicit", "--cert", certificate.cert, "--key", certificate.key, "--auth", "user:secret", "--auth-insecure"])
        }) { server in
            var configuration = SMTPTestSupport.configuration(port: server.port, security: .implicitTLS)
            configuration.certificateVerification = .trustedCertificates(pem: certificate.pem)
            configuration.credentials = SMTPCredentials(username: "user", password: "secret", mechanism: .login)
            let connection = try await SMTPConnection.connect(to: configuration)
            _ = try await connection.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: ByteBuffer(string: Self.tricky))
            try await connection.close()
            let received = try server.receivedMessages()
            #expect(received.first?.envelope["tls"] as? Bool == true)
            #expect(received.first.map { String(decoding: $0.data, as: UTF8.self) } == Self.trickyExpected)
        }
    }

    @Test func wrongPasswordIsTyped() async throws {
        try await withServer({ try await .aiosmtpd(["--auth", "user:secret", "--auth-insecure"]) }) { server in
            var configuration = SMTPTestSupport.configuration(port: server.port)
            configuration.credentials = SMTPCredentials(username: "user", password: "wrong")
            configuration.allowsInsecureAuthentication = true
            let error = await SMTPClientError.caught { _ = try await SMTPConnection.connect(to: configuration) }
            guard case .authenticationFailed(let reply) = error else {
                Issue.record("expected authenticationFailed, got \(String(describing: error))")
                return
            }
            #expect(reply.code == 535)
            #expect(reply.enhancedStatusCode?.description == "5.7.8")
        }
    }

    @Test func plainTextAuthWhenAllowed() async throws {
        try await withServer({ try await .aiosmtpd(["--auth", "user:secret", "--auth-insecure", "--require-auth"]) }) { server in
            var configuration = SMTPTestSupport.configuration(port: server.port)
            configuration.credentials = SMTPCredentials(username: "user", password: "secret")
            let refused = await SMTPClientError.caught { _ = try await SMTPConnection.connect(to: configuration) }
            #expect(refused == .authenticationRequiresTLS)
            configuration.allowsInsecureAuthentication = true
            let connection = try await SMTPConnection.connect(to: configuration)
            _ = try await connection.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: ByteBuffer(string: "Subject: x\r\n\r\nhi\r\n"))
            try await connection.close()
            #expect(try server.receivedMessages().count == 1)
        }
    }

    @Test func sizeLimitRefusedBeforeSending() async throws {
        try await withServer({ try await .aiosmtpd(["--size", "500"]) }) { server in
            let connection = try await SMTPConnection.connect(to: SMTPTestSupport.configuration(port: server.port))
            #expect(connection.capabilities.maximumMessageSize == 500)
            let big = ByteBuffer(string: "Subject: big\r\n\r\n" + String(repeating: "0123456789\r\n", count: 100))
            let error = await SMTPClientError.caught { _ = try await connection.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: big) }
            #expect(error == .messageTooLarge(size: big.readableBytes, limit: 500))
            #expect(connection.isUsable)
            let small = try await connection.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: ByteBuffer(string: "Subject: s\r\n\r\nok\r\n"))
            #expect(small.dataReply.code == 250)
            try await connection.close()
            let received = try server.receivedMessages()
            #expect(received.count == 1)
            #expect(received.first?.envelope["mail_options"] as? [String] == ["SIZE=18"])
        }
    }

    @Test func smtpUTF8OnlyWhenOffered() async throws {
        let envelope = SMTPEnvelope(from: "a@x.test", recipients: ["jörg@bücher.test"])
        let message = ByteBuffer(string: "Subject: Grüße\r\n\r\nHallo\r\n")
        try await withServer({ try await .aiosmtpd() }) { server in
            let connection = try await SMTPConnection.connect(to: SMTPTestSupport.configuration(port: server.port))
            let error = await SMTPClientError.caught { _ = try await connection.send(envelope, message: message) }
            #expect(error == .smtpUTF8Unsupported)
            #expect(error?.isTransient == false)
            try await connection.close()
        }
        try await withServer({ try await .aiosmtpd(["--smtputf8"]) }) { server in
            let connection = try await SMTPConnection.connect(to: SMTPTestSupport.configuration(port: server.port))
            _ = try await connection.send(envelope, message: message)
            try await connection.close()
            let received = try server.receivedMessages()
            #expect(received.first?.envelope["rcpt_tos"] as? [String] == ["jörg@bücher.test"])
            #expect((received.first?.envelope["mail_options"] as? [String])?.contains("SMTPUTF8") == true)
            #expect((received.first?.envelope["mail_options"] as? [String])?.contains("BODY=8BITMIME") == true)
            #expect(received.first.map { Array($0.data) } == Array(message.readableBytesView))
        }
    }

    @Test func heloFallback() async throws {
        try await withServer({ try await .aiosmtpd(["--fault", "ehlo:502"]) }) { server in
            let connection = try await SMTPConnection.connect(to: SMTPTestSupport.configuration(port: server.port))
            #expect(!connection.capabilities.isExtended)
            _ = try await connection.send(SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: ByteBuffer(string: Self.tricky))
            try await connection.close()
            #expect(try server.receivedMessages().first.map { String(decoding: $0.data, as: UTF8.self) } == Self.trickyExpected)
        }
    }
}
