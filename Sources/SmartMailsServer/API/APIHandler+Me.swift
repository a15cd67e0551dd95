import SmartMailsAPI
import SmartMailsCore
import SmartMailsStore

extension APIHandler {
    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        let caller = try Caller.requireAny()
        guard let workspace = try await workspaces.workspace(id: caller.workspaceID) else {
            throw APIError.internalError()
        }
        let body = Components.Schemas.Me(
            key: .init(caller.key),
            workspace: .init(id: workspace.id, slug: workspace.slug, name: workspace.name)
        )
        return .ok(.init(body: .json(body)))
    }
}
