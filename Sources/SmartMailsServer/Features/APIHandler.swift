import SmartMailsAPI
import SmartMailsApp
import SmartMailsStore

/// Implements the operations generated from `openapi.yaml` as thin adapters: wire types in, a service call, wire
/// types out. Each feature's operations are in its own folder (`Features/<Feature>/APIHandler+<Feature>.swift`);
/// keys, scopes, limits and idempotency are enforced before a handler runs (`OperationPolicyMiddleware`).
struct APIHandler: APIProtocol {
    let keys: KeyService
    let keyUsage: KeyUsageService
    let team: TeamService
    let contacts: ContactService
    let lists: ListService
    let segments: SegmentService
    let imports: ImportService
    let domains: DomainService
    let sendingPolicy: SendingPolicyService
    let templates: TemplateService
    let messages: MessageService
    let suppressions: SuppressionService
    /// The outbox, when messages go there rather than to a relay.
    let outbox: OutboxTransport?
    let transportName: String
    /// Where browsers reach the server, for the links answers carry (invitations).
    let publicURL: String
    let auditLog: AuditLogService
    let workspaces: WorkspaceDirectory
    let readiness: any ReadinessProbe
    let metrics: ServerMetrics
}
