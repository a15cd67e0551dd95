/// The rules for creating and changing keys, kept out of the HTTP layer so the CLI and the API apply the same ones.
public enum APIKeyRules {
    public static let nameLengthRange = 1...100
    /// The previous secret of a rolled key works for at most this long.
    public static let maximumRollOverlapSeconds: Int64 = 7 * 86_400
    public static let defaultRollOverlapSeconds: Int64 = 86_400
    /// The furthest `expires_at` may lie in the future.
    public static let maximumLifetimeSeconds: Int64 = 10 * 365 * 86_400

    public static func validateName(_ name: String) throws(ValidationError) -> String {
        let trimmed = String(name[...].trimmingSpacesAndTabs)
        // Counted in code points, as the spec's maxLength counts, before trimming as well as after.
        guard nameLengthRange.contains(trimmed.unicodeScalars.count), name.unicodeScalars.count <= nameLengthRange.upperBound else {
            throw ValidationError(param: "name", message: "must be 1 to \(nameLengthRange.upperBound) characters")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ValidationError(param: "name", message: "must not contain control characters")
        }
        return trimmed
    }

    public static func validateExpiry(_ expiresAt: Timestamp?, now: Timestamp) throws(ValidationError) -> Timestamp? {
        guard let expiresAt else { return nil }
        guard expiresAt > now else { throw ValidationError(param: "expires_at", message: "must be in the future") }
        guard expiresAt <= now.adding(seconds: maximumLifetimeSeconds) else {
            throw ValidationError(param: "expires_at", message: "must be within 10 years")
        }
        return expiresAt
    }

    /// A key never grants more than its creator holds, and a sandbox (test) key cannot mint live keys.
    public static func checkGrant(requested: ScopeSet, mode: APIKeyMode, creatorScopes: ScopeSet, creatorMode: APIKeyMode?) throws(KeyGrantError) {
        guard requested.isSubset(of: creatorScopes) else {
            let missing = requested.scopes.filter { !creatorScopes.contains($0) }
            throw .scopesExceedCreator(missing)
        }
        if creatorMode == .test && mode == .live { throw .testKeyCannotCreateLiveKey }
    }

    /// Sending limits follow the same rule as scopes: a key limited to some domains or a daily quota cannot grant
    /// (or change a key to) anything wider.
    public static func checkGrant(requested: SendingLimits, creatorLimits: SendingLimits) throws(KeyGrantError) {
        guard requested.isWithin(creatorLimits) else { throw .sendingLimitsExceedCreator(creatorLimits) }
    }

    public static func validateRollOverlap(_ seconds: Int64?) throws(ValidationError) -> Int64 {
        let overlap = seconds ?? defaultRollOverlapSeconds
        guard (0...maximumRollOverlapSeconds).contains(overlap) else {
            throw ValidationError(param: "old_expires_in", message: "must be between 0 and \(maximumRollOverlapSeconds) seconds (7 days)")
        }
        return overlap
    }
}

/// Why a key may not be granted what was asked.
public enum KeyGrantError: Error, Equatable, Sendable {
    case scopesExceedCreator([Scope])
    case testKeyCannotCreateLiveKey
    /// The key would be less limited than its creator, whose limits these are.
    case sendingLimitsExceedCreator(SendingLimits)
}
