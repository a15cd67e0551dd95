/// The reply `SMTPServer` gives to a recipient or a message, as chosen by its handler.
public struct SMTPServerResponse: Sendable, Hashable {
    public var code: Int
    /// The text after the code; start it with an enhanced status code such as `2.0.0`.
    public var text: String

    public init(code: Int, text: String) {
        self.code = code
        self.text = text
    }

    public static let accepted = SMTPServerResponse(code: 250, text: "2.0.0 OK")
    public static let recipientAccepted = SMTPServerResponse(code: 250, text: "2.1.5 OK")

    public static func transientFailure(_ text: String = "4.3.0 Try again later") -> SMTPServerResponse {
        SMTPServerResponse(code: 451, text: text)
    }

    public static func permanentFailure(_ text: String = "5.7.1 Rejected") -> SMTPServerResponse {
        SMTPServerResponse(code: 550, text: text)
    }

    public var isSuccess: Bool { (200..<300).contains(self.code) }
}
