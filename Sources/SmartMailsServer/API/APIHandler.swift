import SmartMailsAPI
import SmartMailsCore
import SmartMailsStore

/// Implements the operations generated from `openapi.yaml`. Each operation first asks `Caller` for the scope it
/// needs, then works only inside the caller's workspace.
struct APIHandler: APIProtocol {
    let storage: any Storage
    let keys: KeyService
    let usage: UsageRecorder
}
