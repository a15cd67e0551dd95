import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// The HTTP/1 edge of the server: NIO's decoded request parts go in as HTTP types, Hummingbird's responses come out
/// as bytes. It stands where `HTTP1ToHTTPServerCodec` and NIO's `HTTPResponseEncoder` stood together.
///
/// Those two converted every response field into NIO's `HTTPHeaders` (a pair of strings each), copied the whole list
/// again to frame it, searched it by name once per framing rule, and wrote each field in four steps; an
/// authenticated answer carries twice the fields of `/healthz`. Here each field is copied once, straight into the
/// outgoing buffer, in the pass that also finds the length fields. The framing rules are NIO's (RFC 9112 §6): 1xx,
/// 204 and 304 answers and answers to CONNECT have no body and lose `Content-Length` and `Transfer-Encoding`; an
/// answer to HEAD keeps the `Content-Length` a GET would have announced, but its body is not sent; otherwise
/// `Content-Length` frames the body when present and chunked coding when not. A `Transfer-Encoding` the application
/// set is replaced by this decision.
final class HTTP1ServerCodec: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = IOData

    /// What the request being answered allows its answer to carry.
    private enum Answering {
        case ordinaryRequest
        /// Head with its length fields, no body.
        case headRequest
        /// No body and no length fields: the connection turns into a tunnel.
        case connectRequest

        init(_ method: NIOHTTP1.HTTPMethod) {
            switch method {
            case .HEAD: self = .headRequest
            case .CONNECT: self = .connectRequest
            default: self = .ordinaryRequest
            }
        }
    }

    private enum Framing {
        case none
        case contentLength
        case chunked
    }

    /// Requests decoded but not answered yet, oldest first: a pipelining client sends several before reading.
    private var awaitingAnswer = CircularBuffer<Answering>(initialCapacity: 4)
    private var bodyIsChunked = false
    private var bodyIsDropped = false

    // MARK: Requests

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            let request: HTTPRequest
            do {
                request = try Self.request(from: head)
            } catch {
                context.fireErrorCaught(error)
                return
            }
            self.awaitingAnswer.append(Answering(head.method))
            context.fireChannelRead(self.wrapInboundOut(.head(request)))
        case .body(let body):
            context.fireChannelRead(self.wrapInboundOut(.body(body)))
        case .end(let trailers):
            context.fireChannelRead(self.wrapInboundOut(.end(trailers.map { HTTPFields($0, splitCookie: false) })))
        }
    }

    /// NIO's request head as HTTP types. A target that starts with `/` (any request but a proxy's or a CONNECT) is
    /// the path as it is; HTTP types' own conversion would first parse it with `URLComponents`, looking for a scheme
    /// it cannot have, which cost as much as the rest of the conversion. Other targets take that conversion.
    private static func request(from head: HTTPRequestHead) throws -> HTTPRequest {
        guard head.uri.utf8.first == UInt8(ascii: "/") else {
            return try HTTPRequest(head, secure: false, splitCookie: false)
        }
        var authority: String?
        var fields = HTTPFields()
        fields.reserveCapacity(head.headers.count)
        for (name, value) in head.headers {
            // The first Host is the authority, as in HTTP types' own conversion; another one stays a field.
            if authority == nil, Self.isHost(name) {
                authority = value
            } else if let name = Self.commonName(name) ?? HTTPField.Name(name) {
                fields.append(HTTPField(name: name, value: value))
            }
        }
        return HTTPRequest(
            method: try HTTPRequest.Method(head.method), scheme: "http", authority: authority, path: head.uri,
            headerFields: fields
        )
    }

    /// Whether `name` is Host in any case, without making a lower-case copy.
    private static func isHost(_ name: String) -> Bool {
        equalsIgnoringCase(name, "host")
    }

    /// Names that API requests carry (every call to `/v1` has Authorization), in the spelling HTTP types gives them.
    private static let commonNames: [HTTPField.Name] = [
        .authorization, .contentType, .contentLength, .userAgent, .accept, .acceptEncoding, .connection,
    ]

    /// The common name `name` is in any case, or nil: found by its length and bytes, instead of validating it and
    /// making a lower-case copy as a new name does, which for Authorization cost as much as the rest of the request's
    /// conversion. The field keeps the common spelling, not the client's: field names are case-insensitive.
    private static func commonName(_ name: String) -> HTTPField.Name? {
        commonNames.first { equalsIgnoringCase(name, $0.canonicalName) }
    }

    /// Whether `name` is `lowercased` (a name in lower case) written in any case.
    private static func equalsIgnoringCase(_ name: String, _ lowercased: String) -> Bool {
        // The lengths first, which strings know without reading their bytes: most names compared differ in length.
        guard name.utf8.count == lowercased.utf8.count else { return false }
        var name = name
        var lowercased = lowercased
        return name.withUTF8 { name in
            lowercased.withUTF8 { lowercased in
                // Or-ing 0x20 lowers an ASCII capital; no byte a parsed name can hold becomes a letter or `-` otherwise.
                zip(name, lowercased).allSatisfy { $0 | 0x20 == $1 }
            }
        }
    }

    // MARK: Responses

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .head(let response):
            self.writeHead(response, context: context, promise: promise)
        case .body(let body):
            self.writeBody(body, context: context, promise: promise)
        case .end(let trailers):
            self.writeEnd(trailers, context: context, promise: promise)
        }
    }

    private func writeHead(_ response: HTTPResponse, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let code = response.status.code
        let isFinal = !(100..<200).contains(code) || code == 101
        let statusAllowsBody = (200...999).contains(code) && code != 204 && code != 304
        // An interim answer (100 Continue) precedes the final one to the same request, which it leaves waiting.
        let answering = isFinal ? (self.awaitingAnswer.popFirst() ?? .ordinaryRequest) : .ordinaryRequest

        var buffer = context.channel.allocator.buffer(capacity: 128 + 48 * response.headerFields.count)
        Self.writeStatusLine(response.status, into: &buffer)
        let fieldsStart = buffer.writerIndex
        // Written as they come while noting the length fields, which are rare to need filtering: when they do, the
        // fields are written again without them.
        var hasContentLength = false
        var hasTransferEncoding = false
        for field in response.headerFields {
            // The length of the name first: comparing two names that differ compares their bytes, for every field.
            switch field.name.canonicalName.utf8.count {
            case 14 where field.name == .contentLength: hasContentLength = true
            case 17 where field.name == .transferEncoding: hasTransferEncoding = true
            default: break
            }
            Self.write(field, into: &buffer)
        }
        let framing: Framing =
            !statusAllowsBody || answering == .connectRequest ? .none : hasContentLength ? .contentLength : .chunked
        let keepsContentLength = framing != .none
        if hasTransferEncoding || (hasContentLength && !keepsContentLength) {
            buffer.moveWriterIndex(to: fieldsStart)
            for field in response.headerFields
            where field.name != .transferEncoding && (keepsContentLength || field.name != .contentLength) {
                Self.write(field, into: &buffer)
            }
        }
        if framing == .chunked {
            buffer.writeStaticString("Transfer-Encoding: chunked\r\n")
        }
        buffer.writeStaticString("\r\n")

        if isFinal {
            self.bodyIsDropped = answering != .ordinaryRequest
            self.bodyIsChunked = framing == .chunked && !self.bodyIsDropped
        }
        context.write(self.wrapOutboundOut(.byteBuffer(buffer)), promise: promise)
    }

    private static func writeStatusLine(_ status: HTTPResponse.Status, into buffer: inout ByteBuffer) {
        let code = status.code
        buffer.writeMultipleIntegers(
            UInt64(0x48_54_54_50_2F_31_2E_31),  // "HTTP/1.1"
            UInt8(ascii: " "),
            UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: code / 100 % 10),
            UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: code / 10 % 10),
            UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: code % 10),
            UInt8(ascii: " ")
        )
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
    }

    /// `name: value` and a line end, copied in one step: four separate writes each check capacity and uniqueness,
    /// which for the ten fields of an authenticated answer cost as much as the copying.
    private static func write(_ field: HTTPField, into buffer: inout ByteBuffer) {
        var name = field.name.rawName
        var value = field.value
        name.withUTF8 { name in
            value.withUTF8 { value in
                let length = name.count + value.count + 4
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { out in
                    let base = out.baseAddress!
                    base.copyMemory(from: name.baseAddress!, byteCount: name.count)
                    base.storeBytes(of: UInt8(ascii: ":"), toByteOffset: name.count, as: UInt8.self)
                    base.storeBytes(of: UInt8(ascii: " "), toByteOffset: name.count + 1, as: UInt8.self)
                    if value.count > 0 {
                        (base + name.count + 2).copyMemory(from: value.baseAddress!, byteCount: value.count)
                    }
                    base.storeBytes(of: UInt8(ascii: "\r"), toByteOffset: length - 2, as: UInt8.self)
                    base.storeBytes(of: UInt8(ascii: "\n"), toByteOffset: length - 1, as: UInt8.self)
                    return length
                }
            }
        }
    }

    private func writeBody(_ body: ByteBuffer, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        if self.bodyIsDropped {
            // The answer to HEAD is the head of a GET's answer: the application may well send that body.
            self.completeInOrder(promise, context: context)
            return
        }
        guard self.bodyIsChunked, body.readableBytes > 0 else {
            // An empty chunk would read as the last one, so it is not framed.
            context.write(self.wrapOutboundOut(.byteBuffer(body)), promise: promise)
            return
        }
        var sizeLine = context.channel.allocator.buffer(capacity: 20)
        sizeLine.writeString(String(body.readableBytes, radix: 16))
        sizeLine.writeStaticString("\r\n")
        let lineEnd = sizeLine.getSlice(at: sizeLine.writerIndex - 2, length: 2)!
        context.write(self.wrapOutboundOut(.byteBuffer(sizeLine)), promise: nil)
        context.write(self.wrapOutboundOut(.byteBuffer(body)), promise: nil)
        context.write(self.wrapOutboundOut(.byteBuffer(lineEnd)), promise: promise)
    }

    private func writeEnd(_ trailers: HTTPFields?, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        defer {
            self.bodyIsChunked = false
            self.bodyIsDropped = false
        }
        guard self.bodyIsChunked else {
            self.completeInOrder(promise, context: context)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: trailers == nil ? 5 : 256)
        buffer.writeStaticString("0\r\n")
        for field in trailers ?? [:] {
            Self.write(field, into: &buffer)
        }
        buffer.writeStaticString("\r\n")
        context.write(self.wrapOutboundOut(.byteBuffer(buffer)), promise: promise)
    }

    /// Completes `promise` after the writes before it, as if this part had been written: an empty write does that.
    private func completeInOrder(_ promise: EventLoopPromise<Void>?, context: ChannelHandlerContext) {
        guard let promise else { return }
        context.write(self.wrapOutboundOut(.byteBuffer(context.channel.allocator.buffer(capacity: 0))), promise: promise)
    }
}
