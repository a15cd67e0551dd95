import NIOCore

/// A user operation handed to `SMTPClientHandler`, with the promise it completes.
enum SMTPClientRequest {
    case send(SMTPEnvelope, SMTPPreparedMessage, EventLoopPromise<SMTPSendResult>)
    case command(SMTPStage, EventLoopPromise<SMTPReply>)
    case quit(EventLoopPromise<Void>)

    func fail(_ error: SMTPClientError) {
        switch self {
        case .send(_, _, let promise): promise.fail(error)
        case .command(_, let promise): promise.fail(error)
        case .quit(let promise): promise.succeed()  // the goal of QUIT, a closed session, is met
        }
    }
}
