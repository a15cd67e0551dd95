import HummingbirdBcrypt
import Synchronization

/// bcrypt, run on Dispatch's threads: a hash takes a fraction of a second of CPU, and on the few threads that run
/// Swift tasks it would stall every request meanwhile.
public struct PasswordHasher: Sendable {
    /// 2^cost rounds. 12 takes about 0.25 s on one core of the 2-core development machine (release build).
    public let cost: UInt8

    public init(cost: UInt8 = 12) {
        self.cost = cost
    }

    public func hash(_ password: String) async -> String {
        let cost = cost
        return await BlockingWork.run { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async -> Bool {
        await BlockingWork.run { Bcrypt.verify(password, hash: hash) }
    }

    /// A hash of a random password at this hasher's cost, made once per cost: checked for accounts that do not
    /// exist, so that they cost the same work as a wrong password for one that does.
    public func unmatchableHash() async -> String {
        if let known = Self.unmatchable.withLock({ $0[cost] }) { return known }
        var generator = SystemRandomNumberGenerator()
        let made = await hash(String((0..<32).map { _ in Character(Unicode.Scalar(UInt8.random(in: 0x61...0x7A, using: &generator))) }))
        Self.unmatchable.withLock { $0[cost] = made }
        return made
    }

    private static let unmatchable = Mutex<[UInt8: String]>([:])
}
