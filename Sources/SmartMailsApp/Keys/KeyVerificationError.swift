import SmartMailsCore

/// Why a presented token does not authorise a request.
public enum KeyVerificationError: Error, Equatable, Sendable {
    /// Not shaped like one of our keys (length, prefix, alphabet or checksum); storage was not read.
    case malformed(APIKeyFormatError)
    /// Well-formed, but no key has this secret.
    case unknown
    /// The key exists but may not be used now (revoked, expired, rolled away, or not from this address).
    case rejected(KeyRejection)
    /// The stored key could not be read back (a scope, CIDR block or mode this build does not know): refused
    /// rather than read as something more permissive.
    case unreadable
    /// Storage did not answer; nothing was decided about the key.
    case storageUnavailable
}
