import HTTPTypes
import SmartMailsApp
import SmartMailsCore

extension KeyVerificationError: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .malformed(let format):
            .unauthorized("malformed_api_key", Self.describe(format))
        case .unknown:
            .unauthorized("invalid_api_key", "This API key does not exist. Check that it was copied whole, or create a new one.")
        case .rejected(.revoked(let at)):
            .unauthorized("api_key_revoked", "This API key was revoked at \(Self.format(at)). Create a new key.")
        case .rejected(.expired(let at)):
            .unauthorized("api_key_expired", "This API key expired at \(Self.format(at)). Create a new key, or set a new expiry with a key that holds keys:admin.")
        case .rejected(.rolledSecretExpired(let at)):
            .unauthorized("api_key_expired", "This secret was replaced when the key was rolled and stopped working at \(Self.format(at)). Use the key's new secret.")
        case .rejected(.ipNotAllowed(let address)):
            .forbidden("ip_not_allowed", "This API key may not be used from \(address.map(String.init(describing:)) ?? "an unknown address"). Add the address to the key's allowed_ips.")
        case .unreadable:
            .internalError()
        case .storageUnavailable:
            APIError(status: .serviceUnavailable, kind: .api, code: "storage_unavailable", message: "Keys cannot be verified right now; retry shortly.")
        }
    }

    private static func describe(_ error: APIKeyFormatError) -> String {
        switch error {
        case .wrongLength: "API keys are 46 characters long (sm_live_ or sm_test_, then 38 more). This one is not: it may be truncated."
        case .unknownPrefix: "API keys start with sm_live_ or sm_test_."
        case .invalidCharacter: "This API key contains characters that SmartMails keys never have."
        case .badChecksum: "This API key's checksum does not match: a character is wrong. Copy the key again."
        }
    }

    /// The same RFC 3339 form the API's timestamps have, so a message can be compared with `revoked_at`.
    private static func format(_ timestamp: Timestamp) -> String {
        UTCDateTranscoder.rfc3339(timestamp.date)
    }
}
