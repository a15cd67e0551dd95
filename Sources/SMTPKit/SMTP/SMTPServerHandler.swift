import NIOCore

/// One server session: reads command lines and data, answers them, and hands each message to the server's handler.
final class SMTPServerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private static let maximumCommandLength = 4096

    private enum Mode {
        case command
        /// Reading data; `tooLarge` once the limit is passed, after which bytes are read and dropped until the dot.
        case data(tooLarge: Bool)
        /// Waiting for the message handler; input is held until it answers.
        case waitingForHandler
        case closing
    }

    private let configuration: SMTPServer.Configuration
    private let recipientHandler: SMTPServer.RecipientHandler?
    private let messageHandler: SMTPServer.MessageHandler
    private var context: ChannelHandlerContext?
    private var input: ByteBuffer?
    private var mode = Mode.command
    private var clientName: String?
    private var sender: String?
    private var recipients: [String] = []
    private var message = ByteBuffer()
    /// False while a data line longer than what we buffer is being read, so its tail is not taken for a new line.
    private var atLineStart = true

    init(configuration: SMTPServer.Configuration, recipientHandler: SMTPServer.RecipientHandler?, messageHandler: @escaping SMTPServer.MessageHandler) {
        self.configuration = configuration
        self.recipientHandler = recipientHandler
        self.messageHandler = messageHandler
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelActive(context: ChannelHandlerContext) {
        self.reply(220, "\(self.configuration.hostname) ESMTP SMTPKit", context: context)
        context.flush()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = self.unwrapInboundIn(data)
        if var existing = self.input {
            self.input = nil
            existing.writeImmutableBuffer(bytes)
            self.input = existing
        } else {
            self.input = bytes
        }
        self.process(context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            self.reply(421, "4.4.2 \(self.configuration.hostname) Idle timeout, closing", context: context)
            self.closeAfterFlush(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: Input

    private func process(context: ChannelHandlerContext) {
        defer { context.flush() }
        while var buffer = self.input, buffer.readableBytes > 0 {
            switch self.mode {
            case .waitingForHandler, .closing:
                return
            case .command:
                guard let line = Self.readLine(from: &buffer) else {
                    if buffer.readableBytes > Self.maximumCommandLength {
                        self.reply(500, "5.5.6 Line too long", context: context)
                        self.closeAfterFlush(context: context)
                    }
                    return
                }
                self.input = buffer
                self.command(String(buffer: line), context: context)
            case .data(let tooLarge):
                guard let line = Self.readLine(from: &buffer) else {
                    // A very long line: keep its head and drop it from the input, remembering we are mid-line.
                    if buffer.readableBytes > 65536 {
                        self.appendData(buffer.readSlice(length: buffer.readableBytes - 1)!, lineEnd: false, tooLarge: tooLarge)
                        self.input = buffer
                    }
                    return
                }
                self.input = buffer
                self.dataLine(line, tooLarge: tooLarge, context: context)
            }
        }
    }

    /// A line without its CRLF (a lone LF is taken too), or nil when none is complete.
    private static func readLine(from buffer: inout ByteBuffer) -> ByteBuffer? {
        guard let newline = buffer.withUnsafeReadableBytes({ $0.firstIndex(of: UInt8(ascii: "\n")) }) else { return nil }
        var length = newline
        if length > 0, buffer.getInteger(at: buffer.readerIndex + length - 1, as: UInt8.self) == UInt8(ascii: "\r") { length -= 1 }
        let line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: newline - length + 1)
        return line
    }

    private func dataLine(_ line: ByteBuffer, tooLarge: Bool, context: ChannelHandlerContext) {
        var line = line
        if self.atLineStart, line.readableBytes >= 1, line.getInteger(at: line.readerIndex, as: UInt8.self) == UInt8(ascii: ".") {
            if line.readableBytes == 1 {
                self.endOfData(tooLarge: tooLarge, context: context)
                return
            }
            line.moveReaderIndex(forwardBy: 1)  // undo dot-stuffing
        }
        self.appendData(line, lineEnd: true, tooLarge: tooLarge)
    }

    private func appendData(_ bytes: ByteBuffer, lineEnd: Bool, tooLarge: Bool) {
        self.atLineStart = lineEnd
        guard !tooLarge else { return }
        if self.message.readableBytes + bytes.readableBytes + 2 > self.configuration.maximumMessageSize {
            self.mode = .data(tooLarge: true)
            self.message = ByteBuffer()
            return
        }
        self.message.writeImmutableBuffer(bytes)
        if lineEnd { self.message.writeStaticString("\r\n") }
    }

    private func endOfData(tooLarge: Bool, context: ChannelHandlerContext) {
        guard !tooLarge else {
            self.resetTransaction()
            self.mode = .command
            self.reply(552, "5.3.4 Message exceeds the maximum size of \(self.configuration.maximumMessageSize) bytes", context: context)
            return
        }
        let received = SMTPReceivedMessage(
            envelope: SMTPEnvelope(from: self.sender ?? "", recipients: self.recipients),
            data: self.message,
            clientName: self.clientName ?? "",
            remoteAddress: context.channel.remoteAddress?.description
        )
        self.resetTransaction()
        self.mode = .waitingForHandler
        let promise = context.eventLoop.makePromise(of: SMTPServerResponse.self)
        let handler = self.messageHandler
        promise.completeWithTask { await handler(received) }
        promise.futureResult.assumeIsolated().whenSuccess { response in
            guard let context = self.context, case .waitingForHandler = self.mode else { return }
            self.mode = .command
            self.reply(response.code, response.text, context: context)
            self.process(context: context)
        }
    }

    // MARK: Commands

    private func command(_ line: String, context: ChannelHandlerContext) {
        let verb = line.prefix(while: { $0 != " " }).uppercased()
        let argument = line.dropFirst(verb.count).drop(while: { $0 == " " })
        switch verb {
        case "EHLO", "HELO":
            guard !argument.isEmpty else { return self.reply(501, "5.5.4 Syntax: \(verb) hostname", context: context) }
            self.clientName = String(argument)
            self.resetTransaction()
            if verb == "HELO" { return self.reply(250, self.configuration.hostname, context: context) }
            self.reply(250, lines: [
                self.configuration.hostname, "PIPELINING", "SIZE \(self.configuration.maximumMessageSize)", "8BITMIME", "SMTPUTF8",
                "ENHANCEDSTATUSCODES",
            ], context: context)
        case "MAIL":
            guard self.clientName != nil else { return self.reply(503, "5.5.1 Say EHLO first", context: context) }
            guard self.sender == nil else { return self.reply(503, "5.5.1 Nested MAIL command", context: context) }
            guard let (address, parameters) = Self.path(after: "FROM:", in: argument) else {
                return self.reply(501, "5.5.4 Syntax: MAIL FROM:<address>", context: context)
            }
            for parameter in parameters where parameter.uppercased().hasPrefix("SIZE=") {
                if let size = Int(parameter.dropFirst(5)), size > self.configuration.maximumMessageSize {
                    return self.reply(552, "5.3.4 Message size exceeds fixed limit", context: context)
                }
            }
            self.sender = address
            self.reply(250, "2.1.0 OK", context: context)
        case "RCPT":
            guard self.sender != nil else { return self.reply(503, "5.5.1 Need MAIL before RCPT", context: context) }
            guard let (address, _) = Self.path(after: "TO:", in: argument), !address.isEmpty else {
                return self.reply(501, "5.5.4 Syntax: RCPT TO:<address>", context: context)
            }
            guard self.recipients.count < self.configuration.maximumRecipients else {
                return self.reply(452, "4.5.3 Too many recipients", context: context)
            }
            let response = self.recipientHandler?(address) ?? .recipientAccepted
            if response.isSuccess { self.recipients.append(address) }
            self.reply(response.code, response.text, context: context)
        case "DATA":
            guard self.sender != nil else { return self.reply(503, "5.5.1 Need MAIL command", context: context) }
            guard !self.recipients.isEmpty else { return self.reply(554, "5.5.1 No valid recipients", context: context) }
            self.mode = .data(tooLarge: false)
            self.atLineStart = true
            self.message = context.channel.allocator.buffer(capacity: 4096)
            self.reply(354, "End data with <CR><LF>.<CR><LF>", context: context)
        case "RSET":
            self.resetTransaction()
            self.reply(250, "2.0.0 OK", context: context)
        case "NOOP":
            self.reply(250, "2.0.0 OK", context: context)
        case "QUIT":
            self.reply(221, "2.0.0 Bye", context: context)
            self.closeAfterFlush(context: context)
        case "VRFY":
            self.reply(252, "2.5.0 Cannot VRFY user", context: context)
        default:
            self.reply(502, "5.5.2 Command not recognized", context: context)
        }
    }

    /// Reads `FROM:<address> PARAM…` (or `TO:`), tolerating a space after the colon.
    private static func path(after keyword: String, in argument: Substring) -> (String, [Substring])? {
        guard argument.uppercased().hasPrefix(keyword) else { return nil }
        let rest = argument.dropFirst(keyword.count).drop(while: { $0 == " " })
        guard rest.first == "<", let close = rest.firstIndex(of: ">") else { return nil }
        let address = String(rest[rest.index(after: rest.startIndex)..<close])
        let parameters = rest[rest.index(after: close)...].split(separator: " ")
        return (address, parameters)
    }

    private func resetTransaction() {
        self.sender = nil
        self.recipients = []
        self.message = ByteBuffer()
    }

    // MARK: Output

    private func reply(_ code: Int, _ text: String, context: ChannelHandlerContext) {
        self.reply(code, lines: [text], context: context)
    }

    private func reply(_ code: Int, lines: [String], context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64 * lines.count)
        for (index, line) in lines.enumerated() {
            buffer.writeString("\(code)\(index == lines.count - 1 ? " " : "-")\(line)\r\n")
        }
        context.write(NIOAny(buffer), promise: nil)
    }

    private func closeAfterFlush(context: ChannelHandlerContext) {
        self.mode = .closing
        self.input = nil
        context.writeAndFlush(NIOAny(ByteBuffer()), promise: nil)
        context.close(promise: nil)
    }
}
