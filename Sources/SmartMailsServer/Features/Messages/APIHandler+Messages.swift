import Foundation
import OpenAPIRuntime
import SmartMailsAPI
import SmartMailsApp
import SmartMailsCore
import SmartMailsStore

extension APIHandler {
    func sendMessage(_ input: Operations.SendMessage.Input) async throws -> Operations.SendMessage.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        let accepted = try await messages.send(try MessageDraft(body), workspaceID: caller.workspaceID, sender: caller.sender)
        return .accepted(.init(body: .json(.init(
            id: accepted.message.id, object: .message, status: .init(accepted.message.status), sendAt: accepted.message.sendAt.date,
            warnings: accepted.warnings
        ))))
    }

    func sendMessageBatch(_ input: Operations.SendMessageBatch.Input) async throws -> Operations.SendMessageBatch.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        guard !body.messages.isEmpty else { throw APIError.validationFailed("Send at least one message.", param: "messages") }
        for (index, item) in body.messages.enumerated() { try item.checkDeclaredLimits(param: "messages[\(index)]") }
        let results = try await messages.sendBatch(body.messages.map { item in Result { () throws(ValidationError) in try MessageDraft(item) } }, workspaceID: caller.workspaceID, sender: caller.sender)
        var queued = 0
        let data = results.enumerated().map { index, result -> Components.Schemas.MessageBatchItemResult in
            switch result {
            case .success(let accepted):
                queued += 1
                return .init(index: index, result: .queued, id: accepted.message.id, warnings: accepted.warnings)
            case .failure(let error):
                return .init(index: index, result: .failed, error: .init(code: error.code, message: error.message, param: "messages[\(index)].\(error.param)"))
            }
        }
        return .ok(.init(body: .json(.init(data: data, queued: queued, failed: results.count - queued))))
    }

    func listMessages(_ input: Operations.ListMessages.Input) async throws -> Operations.ListMessages.Output {
        let caller = try Caller.authenticated()
        let q = input.query
        let recipient = try q.recipient.map { text throws(ValidationError) in try ContactEmail.parse(text, param: "recipient").address }
        let filter = MessageFilter(
            status: q.status.flatMap { MessageStatus(rawValue: $0.rawValue) }, tag: q.tag, recipient: recipient,
            createdAfter: q.createdAfter.map(Timestamp.init), createdBefore: q.createdBefore.map(Timestamp.init)
        )
        let page = try await messages.messages(
            workspaceID: caller.workspaceID, filter: filter, page: try PageCursor.request(limit: q.limit, cursor: q.cursor, idPrefix: Message.idPrefix)
        )
        return .ok(.init(body: .json(.init(data: page.items.map { .init($0) }, hasMore: page.hasMore, nextCursor: PageCursor.next(after: page)))))
    }

    func getMessage(_ input: Operations.GetMessage.Input) async throws -> Operations.GetMessage.Output {
        let caller = try Caller.authenticated()
        return .ok(.init(body: .json(.init(try await messages.message(id: input.path.id, workspaceID: caller.workspaceID)))))
    }

    func cancelMessage(_ input: Operations.CancelMessage.Input) async throws -> Operations.CancelMessage.Output {
        let caller = try Caller.authenticated()
        return .ok(.init(body: .json(.init(try await messages.cancel(id: input.path.id, workspaceID: caller.workspaceID)))))
    }

    func listOutbox(_ input: Operations.ListOutbox.Input) async throws -> Operations.ListOutbox.Output {
        let caller = try Caller.authenticated()
        let limit = try PageCursor.limit(input.query.limit)
        let entries = try outbox?.entries(workspaceID: caller.workspaceID, limit: limit) ?? []
        return .ok(.init(body: .json(.init(
            transport: transportName, data: entries.map { .init(messageId: $0.messageID, size: $0.size, writtenAt: $0.writtenAt) }
        ))))
    }

    func getOutboxMessage(_ input: Operations.GetOutboxMessage.Input) async throws -> Operations.GetOutboxMessage.Output {
        let caller = try Caller.authenticated()
        guard let data = outbox?.contents(of: input.path.id, workspaceID: caller.workspaceID) else {
            throw APIError.notFound("outbox message", id: input.path.id)
        }
        return .ok(.init(body: .messageRfc822(HTTPBody(data))))
    }

    func listSuppressions(_ input: Operations.ListSuppressions.Input) async throws -> Operations.ListSuppressions.Output {
        let caller = try Caller.authenticated()
        let limit = try PageCursor.limit(input.query.limit)
        let page = try await suppressions.suppressions(
            workspaceID: caller.workspaceID, reason: input.query.reason.flatMap { Suppression.Reason(rawValue: $0.rawValue) }, limit: limit,
            after: try PageCursor.decodeAddress(input.query.cursor)
        )
        return .ok(.init(body: .json(.init(
            data: page.items.map { .init($0) }, hasMore: page.hasMore, nextCursor: page.hasMore ? page.items.last?.address : nil
        ))))
    }

    func createSuppression(_ input: Operations.CreateSuppression.Input) async throws -> Operations.CreateSuppression.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        let suppression = try await suppressions.add(
            address: body.address, reason: body.reason.flatMap { Suppression.Reason(rawValue: $0.rawValue) } ?? .manual,
            source: body.source ?? "api", expiresAt: body.expiresAt.map(Timestamp.init), workspaceID: caller.workspaceID
        )
        return .created(.init(body: .json(.init(suppression))))
    }

    func getSuppression(_ input: Operations.GetSuppression.Input) async throws -> Operations.GetSuppression.Output {
        let caller = try Caller.authenticated()
        guard let suppression = try await suppressions.suppression(address: input.path.address, workspaceID: caller.workspaceID) else {
            throw APIError.notFound("suppression", id: input.path.address)
        }
        return .ok(.init(body: .json(.init(suppression))))
    }

    func deleteSuppression(_ input: Operations.DeleteSuppression.Input) async throws -> Operations.DeleteSuppression.Output {
        let caller = try Caller.authenticated()
        guard try await suppressions.remove(address: input.path.address, workspaceID: caller.workspaceID) else {
            throw APIError.notFound("suppression", id: input.path.address)
        }
        return .ok(.init(body: .json(.init(id: input.path.address.lowercased(), object: "suppression", deleted: true))))
    }
}

extension Caller {
    var sender: MessageService.Sender { MessageService.Sender(keyID: key.id, mode: key.mode, limits: key.sendingLimits) }
}
