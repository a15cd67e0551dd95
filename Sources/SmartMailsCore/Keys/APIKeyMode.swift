/// Whether a key acts for real (`sm_live_`) or in the sandbox (`sm_test_`, whose mail is recorded, never delivered).
public enum APIKeyMode: String, Sendable, Hashable, CaseIterable, Codable {
    case live
    case test

    public var tokenPrefix: String { "sm_\(rawValue)_" }
}
