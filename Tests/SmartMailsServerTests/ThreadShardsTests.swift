import Foundation
@testable import SmartMailsServer
import Synchronization
import Testing

@Suite struct ThreadShardsTests {
    /// New threads get numbers of their own, in turn, and keep them: with 2^20 shards (far more threads than this
    /// process starts) no two of them share one.
    @Test func eachNewThreadGetsAShardOfItsOwnAndKeepsIt() async {
        let picks = Mutex<[(first: Int, again: Int, ofFour: Int)]>([])
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let group = DispatchGroup()
            for _ in 0..<4 {
                group.enter()
                Thread {
                    let first = ThreadShards.index(bits: 20)
                    let again = ThreadShards.index(bits: 20)
                    let ofFour = ThreadShards.index(bits: 2)
                    picks.withLock { $0.append((first, again, ofFour)) }
                    group.leave()
                }.start()
            }
            group.notify(queue: .global()) { done.resume() }
        }
        let taken = picks.withLock { $0 }
        #expect(taken.count == 4)
        #expect(taken.allSatisfy { $0.first == $0.again })
        #expect(Set(taken.map(\.first)).count == 4)
        // With fewer shards, the thread's number wraps around them.
        #expect(taken.allSatisfy { $0.ofFour == $0.first % 4 })
    }
}
