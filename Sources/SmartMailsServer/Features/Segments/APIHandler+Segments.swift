import OpenAPIRuntime
import SmartMailsAPI
import SmartMailsApp
import SmartMailsCore

extension APIHandler {
    func listSegments(_ input: Operations.ListSegments.Input) async throws -> Operations.ListSegments.Output {
        let caller = try Caller.authenticated()
        let page = try await segments.segments(
            workspaceID: caller.workspaceID, page: try PageCursor.request(limit: input.query.limit, cursor: input.query.cursor, idPrefix: Segment.idPrefix)
        )
        return .ok(.init(body: .json(.init(data: try page.items.map { try .init($0) }, hasMore: page.hasMore, nextCursor: PageCursor.next(after: page)))))
    }

    func createSegment(_ input: Operations.CreateSegment.Input) async throws -> Operations.CreateSegment.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        let segment = try await segments.create(name: body.name, rule: try JSONValue(body.rule), workspaceID: caller.workspaceID, by: caller.changeActor)
        return .created(.init(body: .json(try .init(segment))))
    }

    func getSegment(_ input: Operations.GetSegment.Input) async throws -> Operations.GetSegment.Output {
        let caller = try Caller.authenticated()
        return .ok(.init(body: .json(try .init(try await segments.segment(id: input.path.id, workspaceID: caller.workspaceID)))))
    }

    func updateSegment(_ input: Operations.UpdateSegment.Input) async throws -> Operations.UpdateSegment.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        let segment = try await segments.update(
            id: input.path.id, name: body.name, rule: try body.rule.map { try JSONValue($0) }, workspaceID: caller.workspaceID, by: caller.changeActor
        )
        return .ok(.init(body: .json(try .init(segment))))
    }

    func deleteSegment(_ input: Operations.DeleteSegment.Input) async throws -> Operations.DeleteSegment.Output {
        let caller = try Caller.authenticated()
        let segment = try await segments.delete(id: input.path.id, workspaceID: caller.workspaceID, by: caller.changeActor)
        return .ok(.init(body: .json(.init(id: segment.id, object: "segment", deleted: true))))
    }

    func listSegmentContacts(_ input: Operations.ListSegmentContacts.Input) async throws -> Operations.ListSegmentContacts.Output {
        let caller = try Caller.authenticated()
        let segment = try await segments.segment(id: input.path.id, workspaceID: caller.workspaceID)
        let request = try PageCursor.request(limit: input.query.limit, cursor: input.query.cursor, idPrefix: Contact.idPrefix)
        async let count = segments.count(of: segment.rule, workspaceID: caller.workspaceID)
        let page = try await segments.contacts(of: segment.rule, workspaceID: caller.workspaceID, page: request)
        return .ok(.init(body: .json(.init(data: page.items.map { .init($0) }, hasMore: page.hasMore, nextCursor: PageCursor.next(after: page), count: try await count))))
    }

    func previewSegment(_ input: Operations.PreviewSegment.Input) async throws -> Operations.PreviewSegment.Output {
        let caller = try Caller.authenticated()
        guard case .json(let body) = input.body else { throw APIError.badRequest("invalid_request", "Send a JSON body.") }
        let (count, page) = try await segments.preview(try JSONValue(body.rule), workspaceID: caller.workspaceID, limit: try PageCursor.limit(body.limit ?? 10))
        return .ok(.init(body: .json(.init(count: count, data: page.items.map { .init($0) }))))
    }
}

extension Components.Schemas.Segment {
    init(_ segment: Segment) throws {
        self.init(
            id: segment.id, object: .segment, name: segment.name, rule: try OpenAPIObjectContainer(segment.ruleJSON),
            createdAt: segment.createdAt.date, updatedAt: segment.updatedAt.date
        )
    }
}

extension JSONValue {
    /// A free-form JSON object from the generated types, as the domain reads one.
    init(_ container: OpenAPIObjectContainer, param: String = "rule") throws {
        self = .object(try container.value.mapValues { try JSONValue(any: $0, param: param) })
    }

    init(any value: (any Sendable)?, param: String) throws {
        switch value {
        case nil: self = .null
        case let flag as Bool: self = .bool(flag)
        case let number as Int: self = .integer(Int64(number))
        case let number as Int64: self = .integer(number)
        case let number as Double: self = number.rounded() == number && abs(number) < 9e15 ? .integer(Int64(number)) : .number(number)
        case let text as String: self = .string(text)
        case let list as [(any Sendable)?]: self = .array(try list.map { try JSONValue(any: $0, param: param) })
        case let object as [String: (any Sendable)?]: self = .object(try object.mapValues { try JSONValue(any: $0, param: param) })
        default: throw APIError.badRequest("invalid_type", "\(param) holds a value that is not JSON.", param: param)
        }
    }

    /// Back to a value the generated types encode.
    var anyValue: (any Sendable)? {
        switch self {
        case .null: nil
        case .bool(let flag): flag
        case .integer(let number): Int(number)
        case .number(let number): number
        case .string(let text): text
        case .array(let items): items.map(\.anyValue)
        case .object(let members): members.mapValues(\.anyValue)
        }
    }
}

extension OpenAPIObjectContainer {
    init(_ json: JSONValue) throws {
        guard case .object(let members) = json else { throw APIError.internalError() }
        try self.init(unvalidatedValue: members.mapValues(\.anyValue))
    }
}
