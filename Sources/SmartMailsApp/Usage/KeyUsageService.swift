import SmartMailsCore
import SmartMailsStore

/// A key's metered requests over the last day, counted up to this very moment.
public struct KeyUsageService: Sendable {
    let store: any UsageStore
    let recorder: UsageRecorder

    public init(store: any UsageStore, recorder: UsageRecorder) {
        self.store = store
        self.recorder = recorder
    }

    public func report(for key: APIKey, now: Timestamp = .now) async throws -> KeyUsageReport {
        // Counts are written in batches; writing the pending ones first makes the answer include the latest requests.
        await recorder.flush()
        let since = now.adding(seconds: -86_400).minuteFloor
        let samples = try await store.usage(keyID: key.id, workspaceID: key.workspaceID, since: since)
        return KeyUsageReport(keyID: key.id, since: since, until: now, samples: samples)
    }
}
