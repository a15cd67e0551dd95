import Dispatch
import HummingbirdBcrypt

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
        return await Self.offPool { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async -> Bool {
        await Self.offPool { Bcrypt.verify(password, hash: hash) }
    }

    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
