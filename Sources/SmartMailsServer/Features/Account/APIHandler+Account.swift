import SmartMailsAPI
import SmartMailsApp
import SmartMailsCore

extension APIHandler {
    /// `GET /v1/me`, the call integrations make to check their key: the key as verified for this request, and its
    /// workspace (from memory: workspaces do not change).
    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        let caller = try Caller.authenticated()
        guard let workspace = try await workspaces.workspace(id: caller.workspaceID) else { throw APIError.internalError() }
        let me = Components.Schemas.Me(key: .init(caller.key), workspace: .init(id: workspace.id, slug: workspace.slug, name: workspace.name))
        return .ok(.init(body: .json(me)))
    }
}
