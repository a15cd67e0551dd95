import OpenAPIRuntime
import SmartMailsAPI
import SmartMailsStore

extension APIHandler {
    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        .ok(.init(body: .json(.init(status: "ok"))))
    }

    func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        await readiness.ping()
            ? .ok(.init(body: .json(.init(status: "ok", database: "ok"))))
            : .serviceUnavailable(.init(body: .json(.init(status: "unavailable", database: "unreachable"))))
    }

    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        .ok(.init(body: .plainText(HTTPBody(metrics.render()))))
    }
}
