import SmartMailsCore

/// Rate-limit state in the database, for deployments where several nodes serve the same keys: each decision is one
/// atomic statement, so the nodes together admit exactly what one node would. PostgreSQL only.
public protocol SharedRateLimitStore: Sendable {
    /// Takes one request from `keyID`'s allowance, deciding by the database's clock.
    func takeFromAllowance(keyID: String, policy: RateLimitPolicy) async throws -> GCRA.Decision
    /// Gives a key its full allowance back, e.g. after its policy changed.
    func resetAllowance(keyID: String) async throws
    /// Deletes state for keys whose allowance is full again.
    func pruneAllowances() async throws
}
