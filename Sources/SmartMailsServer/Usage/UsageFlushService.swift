import ServiceLifecycle

/// Writes metered usage every few seconds and once more at shutdown, so a clean stop loses no counts.
struct UsageFlushService: Service {
    let recorder: UsageRecorder
    let interval: Double

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await gracefulShutdownSleep(seconds: interval)
            await recorder.flush()
        }
        await recorder.flush()
    }

    private func gracefulShutdownSleep(seconds: Double) async throws {
        try await cancelWhenGracefulShutdown {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        }
    }
}
