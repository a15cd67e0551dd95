import Foundation
import HummingbirdTesting
import NIOCore
import NIOPosix
import SmartMailsCore
import SmartMailsApp
import SmartMailsServer
import SmartMailsTestSupport
import Testing

/// The running server over a plain TCP connection: what a client that pipelines, or asks with HEAD, reads back.
@Suite(.timeLimit(.minutes(1))) struct HTTP1WireTests {
    @Test func pipelinedRequestsAreAnsweredInOrderOnOneConnectionAndHeadGetsTheHeadOfTheGet() async throws {
        try await TestApp.run(on: .sqlite, mode: .live) { app, client in
            let port = try #require(client.port)
            let requests = """
                GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n\
                HEAD /v1/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(app.adminKey)\r\n\r\n\
                GET /v1/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(app.adminKey)\r\n\r\n\
                GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n
                """
            let answers = try await RawConnection.exchange(requests, port: port, answers: 4, bodiless: [1])

            #expect(answers.map(\.status) == [200, 200, 200, 200])
            #expect(answers[0].body == #"{"status":"ok"}"#)
            // HEAD announces the length the GET has and sends none of it (a body would be read here as the start of
            // the next answer); it is a request of the key like any other.
            #expect(answers[2].body.contains(#""workspace""#))
            #expect(answers[1].field("content-length") == String(answers[2].body.utf8.count))
            #expect(answers[1].field("x-ratelimit-remaining") == "59")
            // One less, unless a second passed between the two on a busy machine and the allowance refilled one.
            #expect(["58", "59"].contains(answers[2].field("x-ratelimit-remaining") ?? ""))
            #expect(answers[3].body == #"{"status":"ok"}"#)
            for answer in answers {
                #expect(answer.field("transfer-encoding") == nil)
                #expect(answer.field("request-id") != nil)
            }
        }
    }

    /// `/v1/me` builds all its fields in one list, other routes get theirs from the middleware, errors too: on the
    /// wire each answer has every rate-limit field and its request id exactly once, counting down one allowance.
    @Test func authenticatedAnswersCarryEachRateLimitFieldOnce() async throws {
        try await TestApp.run(on: .sqlite, mode: .live) { app, client in
            let port = try #require(client.port)
            let requests = ["/v1/me", "/v1/api-keys", "/v1/api-keys/not-a-key-id", "/v1/me"].map { path in
                "GET \(path) HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(app.adminKey)\r\n\r\n"
            }
            let answers = try await RawConnection.exchange(requests.joined(), port: port, answers: 4, bodiless: [])

            #expect(answers.map(\.status) == [200, 200, 404, 200])
            let names = ["ratelimit-policy", "ratelimit", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "request-id"]
            for answer in answers {
                for name in names + ["content-type", "content-length"] {
                    #expect(answer.fields.filter { $0.name.lowercased() == name }.count == 1, "\(name) in answer \(answer.status)")
                }
                #expect(answer.field("ratelimit-policy") == #""key";q=60;w=60"#)
                #expect(answer.field("x-ratelimit-limit") == "60")
            }
            // Each answer spends one allowance; a machine busy with the whole suite may take the second that refills
            // one between two answers (60 a minute), so a step is one down or level, never up.
            let remaining = answers.compactMap { $0.field("x-ratelimit-remaining").flatMap { Int($0) } }
            #expect(remaining.count == 4 && remaining.first == 59)
            #expect(zip(remaining, remaining.dropFirst()).allSatisfy { $0 - $1 == 1 || $0 == $1 }, "\(remaining)")
            #expect(remaining.last.map { $0 <= 58 } == true, "\(remaining)")
            for answer in answers {
                let remaining = answer.field("x-ratelimit-remaining") ?? "?", reset = answer.field("x-ratelimit-reset") ?? "?"
                #expect(answer.field("ratelimit") == #""key";r=\#(remaining);t=\#(reset)"#)
            }
            #expect(Set(answers.compactMap { $0.field("request-id") }).count == 4)
        }
    }

    /// Refusals are built in one step too (the 429 from the key's field template, every error body written by hand):
    /// each field once, a Content-Length that frames the body exactly (the next answer on the connection parses), and
    /// a body in the one error shape that names the answer's request id.
    @Test func refusalsCarryEachFieldOnceAndAnExactLength() async throws {
        try await TestApp.run(on: .sqlite, mode: .live) { app, client in
            let port = try #require(client.port)
            let limited = try await app.makeKey(scopes: ["read"], rateLimit: RateLimitPolicy(requests: 1, perSeconds: 3600))
            let request = { (key: String) in "GET /v1/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(key)\r\n\r\n" }
            let unknownKey = APIKeyToken.generate(mode: .live).rawValue
            let requests = [request(limited.token.rawValue), request(limited.token.rawValue), request(unknownKey), request(app.adminKey)]
            let answers = try await RawConnection.exchange(requests.joined(), port: port, answers: 4, bodiless: [])

            #expect(answers.map(\.status) == [200, 429, 401, 200])
            let refused = answers[1], unknown = answers[2]
            let once = ["ratelimit-policy", "ratelimit", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "request-id",
                        "retry-after", "content-type", "content-length", "date", "server"]
            for name in once {
                #expect(refused.fields.filter { $0.name.lowercased() == name }.count == 1, "\(name) in the 429")
            }
            #expect(refused.field("x-ratelimit-remaining") == "0")
            #expect(refused.field("retry-after").flatMap(Int.init).map { (3590...3600).contains($0) } == true)
            for name in ["www-authenticate", "request-id", "content-type", "content-length"] {
                #expect(unknown.fields.filter { $0.name.lowercased() == name }.count == 1, "\(name) in the 401")
            }
            #expect(unknown.field("ratelimit") == nil)
            for (answer, code) in [(refused, "rate_limited"), (unknown, "invalid_api_key")] {
                #expect(answer.field("content-length") == String(answer.body.utf8.count))
                #expect(answer.field("content-type") == "application/json; charset=utf-8")
                let body = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: [String: String]]
                #expect(body?["error"]?["code"] == code)
                #expect(body?["error"]?["request_id"] == answer.field("request-id"))
            }
        }
    }
}

/// One TCP connection that sends bytes as given and reads answers framed by `Content-Length`.
private enum RawConnection {
    struct Answer {
        let status: Int
        let fields: [(name: String, value: String)]
        let body: String

        func field(_ name: String) -> String? {
            self.fields.first { $0.name.lowercased() == name }?.value
        }
    }

    /// Sends `text` in one write and reads until `answers` answers have arrived; those at the indices in `bodiless`
    /// answer HEAD and carry no body whatever their length says.
    static func exchange(_ text: String, port: Int, answers count: Int, bodiless: Set<Int>) async throws -> [Answer] {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: text))
            var received: [UInt8] = []
            for try await chunk in inbound {
                received += chunk.readableBytesView
                if let answers = parse(received, bodiless: bodiless), answers.count >= count { return answers }
            }
            Issue.record("the connection closed after \(received.count) bytes: \(String(decoding: received, as: UTF8.self))")
            return []
        }
    }

    /// The complete answers in `bytes`, or nil while the last one is still arriving.
    private static func parse(_ bytes: [UInt8], bodiless: Set<Int>) -> [Answer]? {
        var answers: [Answer] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            guard let headEnd = rest.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
            let lines = String(decoding: rest[..<headEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
            let status = Int(lines[0].split(separator: " ")[1]) ?? 0
            let fields = lines.dropFirst().map { line in
                let colon = line.firstIndex(of: ":")!
                return (name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            var answer = Answer(status: status, fields: fields, body: "")
            let length = bodiless.contains(answers.count) ? 0 : Int(answer.field("content-length") ?? "0") ?? 0
            let bodyStart = headEnd.upperBound
            guard rest.endIndex - bodyStart >= length else { return nil }
            answer = Answer(status: status, fields: fields, body: String(decoding: rest[bodyStart..<bodyStart + length], as: UTF8.self))
            answers.append(answer)
            rest = rest[(bodyStart + length)...]
        }
        return answers
    }
}
