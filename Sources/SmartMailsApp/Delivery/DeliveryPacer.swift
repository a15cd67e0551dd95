/// Spaces sends to at most `perSecond` (a whole-node cap, `SMARTMAILS_SEND_RATE`, or one relay's, `?rate=`): each
/// admission takes the next free slot, one interval after the last, and waits for it. No burst: a relay's published
/// limit is usually per second, and a burst is what trips it.
public actor DeliveryPacer {
    public let perSecond: Double
    private let interval: Duration
    private var nextSlot: ContinuousClock.Instant?

    public init(perSecond: Double) {
        self.perSecond = perSecond
        interval = .nanoseconds(Int64(1_000_000_000 / perSecond))
    }

    /// Returns when this send may go.
    public func admit() async {
        let now = ContinuousClock.now
        let slot = max(now, nextSlot ?? now)
        nextSlot = slot + interval
        if slot > now { try? await Task.sleep(until: slot, clock: .continuous) }
    }
}
