import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
@testable import SmartMailsServer
import Synchronization
import Testing

/// The bytes the server puts on the wire for each kind of answer, written through the codec alone.
@Suite struct HTTP1ServerCodecTests {
    @Test func contentLengthFramesTheBody() throws {
        let wire = try Wire(requests: .GET)
        try wire.answer(.ok, [.contentType: "application/json", .contentLength: "2"], body: ["{}"])
        #expect(try wire.written() == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
    }

    @Test func bodyWithoutLengthIsChunkedReplacingTheApplicationsTransferEncoding() throws {
        let wire = try Wire(requests: .GET, .GET)
        try wire.answer(
            .ok, [.contentType: "text/plain", .transferEncoding: "gzip"],
            body: ["hello", "", String(repeating: "x", count: 26)], trailers: [.init("X-Checksum")!: "abc"]
        )
        #expect(try wire.written() == """
            HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n\
            5\r\nhello\r\n1a\r\n\(String(repeating: "x", count: 26))\r\n0\r\nX-Checksum: abc\r\n\r\n
            """)
        // The next answer on the connection starts over: its length frames it.
        try wire.answer(.ok, [.contentLength: "2"], body: ["ok"])
        #expect(try wire.written() == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    }

    @Test(arguments: [HTTPResponse.Status.noContent, .notModified])
    func statusWithoutBodyLosesItsLengthFields(status: HTTPResponse.Status) throws {
        let wire = try Wire(requests: .GET)
        try wire.answer(status, [.contentLength: "0", .transferEncoding: "chunked", .eTag: "\"v1\""], body: [])
        #expect(try wire.written() == "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\nETag: \"v1\"\r\n\r\n")
    }

    @Test func answerToHeadKeepsItsLengthAndDropsItsBodyWhilePipelinedRequestsKeepTheirs() throws {
        let wire = try Wire(requests: .HEAD, .GET, .HEAD)
        try wire.answer(.ok, [.contentLength: "5"], body: ["hello"])
        try wire.answer(.ok, [.contentLength: "5"], body: ["hello"])
        try wire.answer(.ok, [.contentType: "text/plain"], body: ["streamed"])
        #expect(try wire.written() == """
            HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n\
            HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello\
            HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n
            """)
    }

    @Test func interimAnswerLeavesTheRequestAwaitingItsFinalAnswer() throws {
        let wire = try Wire(requests: .HEAD)
        try wire.channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .continue)))
        try wire.answer(.ok, [.contentLength: "5"], body: ["hello"])
        #expect(try wire.written() == "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
    }

    @Test func everyWriteCompletesInTheOrderItWasMade() throws {
        let wire = try Wire(requests: .HEAD, .GET)
        let completed = Completions()
        for (request, length) in [("HEAD", "5"), ("GET", "5")] {
            for (name, part) in [
                ("head", HTTPResponsePart.head(HTTPResponse(status: .ok, headerFields: [.contentLength: length]))),
                ("body", .body(ByteBuffer(string: "hello"))), ("end", .end(nil)),
            ] {
                let promise = wire.channel.eventLoop.makePromise(of: Void.self)
                promise.futureResult.whenSuccess { completed.list.withLock { $0.append("\(request) \(name)") } }
                wire.channel.write(part, promise: promise)
            }
        }
        wire.channel.flush()
        #expect(completed.list.withLock { $0 } == ["HEAD head", "HEAD body", "HEAD end", "GET head", "GET body", "GET end"])
    }

    @Test func requestsArriveAsHTTPTypes() throws {
        let channel = EmbeddedChannel(handler: HTTP1ServerCodec())
        let head = requestHead(.POST, "/v1/contacts?dry_run=1", [
            "Host": "api.example.com", "Authorization": "Bearer sm_test_x", "Content-Length": "2",
        ])
        try channel.writeInbound(HTTPServerRequestPart.head(head))
        try channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "{}")))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))

        guard case .head(let request) = try channel.readInbound(as: HTTPRequestPart.self) else {
            Issue.record("the head did not arrive first")
            return
        }
        #expect(request.method == .post)
        #expect(request.path == "/v1/contacts?dry_run=1")
        #expect(request.authority == "api.example.com")
        #expect(request.headerFields[.authorization] == "Bearer sm_test_x")
        #expect(request.headerFields[.contentLength] == "2")
        #expect(try channel.readInbound(as: HTTPRequestPart.self) == .body(ByteBuffer(string: "{}")))
        #expect(try channel.readInbound(as: HTTPRequestPart.self) == .end(nil))
    }

    /// Common names are matched by their bytes in any case; a name of the same length that differs, or any other
    /// name, arrives as sent.
    @Test func fieldNamesArriveInAnyCaseAndOthersAsSent() throws {
        let channel = EmbeddedChannel(handler: HTTP1ServerCodec())
        let head = requestHead(.GET, "/v1/me", [
            "AUTHORIZATION": "Bearer a", "content-TYPE": "text/csv", "Authorizatiom": "b", "X-Trace-Tag": "c",
            "HOST": "api.example.com",
        ])
        try channel.writeInbound(HTTPServerRequestPart.head(head))

        guard case .head(let request) = try channel.readInbound(as: HTTPRequestPart.self) else {
            Issue.record("no request head")
            return
        }
        #expect(request.authority == "api.example.com")
        #expect(request.headerFields.map(\.name.canonicalName) == ["authorization", "content-type", "authorizatiom", "x-trace-tag"])
        #expect(request.headerFields.map(\.value) == ["Bearer a", "text/csv", "b", "c"])
        #expect(request.headerFields[.authorization] == "Bearer a")
        #expect(request.headerFields[.contentType] == "text/csv")
        #expect(request.headerFields.last?.name.rawName == "X-Trace-Tag")
    }

    @Test func anAbsoluteTargetGivesItsPathAndOnlyTheFirstHostIsTheAuthority() throws {
        let channel = EmbeddedChannel(handler: HTTP1ServerCodec())
        let head = requestHead(.GET, "http://api.example.com/v1/me?x=1", ["HOST": "api.example.com", "host": "other.example.com"])
        try channel.writeInbound(HTTPServerRequestPart.head(head))
        var originForm = head
        originForm.uri = "/v1/me?x=1"
        try channel.writeInbound(HTTPServerRequestPart.head(originForm))

        for _ in 0..<2 {
            guard case .head(let request) = try channel.readInbound(as: HTTPRequestPart.self) else {
                Issue.record("no request head")
                return
            }
            #expect(request.path == "/v1/me?x=1")
            #expect(request.authority == "api.example.com")
            #expect(request.headerFields[HTTPField.Name("Host")!] == "other.example.com")
        }
    }
}

/// A request head with `fields` in the order given.
private func requestHead(_ method: NIOHTTP1.HTTPMethod, _ uri: String, _ fields: KeyValuePairs<String, String>) -> HTTPRequestHead {
    HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: HTTPHeaders(fields.map { ($0.key, $0.value) }))
}

private final class Completions: Sendable {
    let list = Mutex<[String]>([])
}

/// A connection with requests already received, whose answers are read back as text.
private struct Wire {
    let channel = EmbeddedChannel(handler: HTTP1ServerCodec())

    init(requests methods: NIOHTTP1.HTTPMethod...) throws {
        for method in methods {
            try self.channel.writeInbound(HTTPServerRequestPart.head(.init(version: .http1_1, method: method, uri: "/")))
            try self.channel.writeInbound(HTTPServerRequestPart.end(nil))
            while try self.channel.readInbound(as: HTTPRequestPart.self) != nil {}
        }
    }

    func answer(_ status: HTTPResponse.Status, _ fields: HTTPFields, body: [String], trailers: HTTPFields? = nil) throws {
        try self.channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: status, headerFields: fields)))
        for chunk in body {
            try self.channel.writeOutbound(HTTPResponsePart.body(ByteBuffer(string: chunk)))
        }
        try self.channel.writeOutbound(HTTPResponsePart.end(trailers))
    }

    /// Everything written since the last call.
    func written() throws -> String {
        var text = ""
        while let data = try self.channel.readOutbound(as: IOData.self) {
            guard case .byteBuffer(let buffer) = data else {
                Issue.record("a file region was written")
                continue
            }
            text += String(buffer: buffer)
        }
        return text
    }
}
