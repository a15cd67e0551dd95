import ServiceLifecycle

/// Writes metered usage every few seconds and once more at shutdown, so a clean stop loses no counts.
public struct UsageFlushService: Service {
    let recorder: UsageRecorder
    let interval: Duration

    public init(recorder: UsageRecorder, interval: Duration) {
        self.recorder = recorder
        self.interval = interval
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            await recorder.flush()
        }
        await recorder.flush()
    }
}
