import Synchronization

/// Whether a connection may carry another message; the handler clears it on a network error, a timeout or a 421.
final class SMTPConnectionHealth: Sendable {
    private let usable = Atomic<Bool>(true)

    var isUsable: Bool { self.usable.load(ordering: .relaxed) }

    func markUnusable() { self.usable.store(false, ordering: .relaxed) }
}
