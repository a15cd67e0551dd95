/// Why a DKIM key could not be loaded or a message could not be signed.
public enum DKIMError: Error, Equatable, Sendable {
    /// The signing domain (`d=`) is not a plain ASCII hostname.
    case invalidDomain(String)
    /// The selector (`s=`) is not made of hostname labels.
    case invalidSelector(String)
    /// A name in the signed-header list is not a valid header field name.
    case invalidHeaderName(String)
    /// The message's header block cannot be parsed (a line without a colon, for instance).
    case malformedMessage(String)
    /// RFC 6376 requires From to be signed, so a message without one cannot be.
    case missingFrom
    /// The PEM text holds no RSA (2048 bits or more) or Ed25519 private key we can read.
    case invalidKey(String)
    /// The crypto library refused to sign.
    case signingFailed(String)
}
