import Foundation
import Hummingbird
import SmartMailsApp
import SmartMailsCore
import SmartMailsStore

/// Sending → Messages (newest first, by status; a message's timeline and content) and Suppressions.
extension DashboardRoutes {
    func messagesPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in
            guard visitor.scopes.contains(.messagesRead) else { return forbidden(visitor, needs: .messagesRead) }
            let status = request.uri.queryParameters.get("status").flatMap(MessageStatus.init(rawValue:))
            let recipient = request.uri.queryParameters.get("recipient").flatMap { try? ContactEmail.parse($0, param: "recipient").address }
            let cursor = request.uri.queryParameters.get("after").flatMap { ResourceID.isWellFormed($0, prefix: Message.idPrefix) ? $0 : nil }
            let page = try await messages.messages(
                workspaceID: visitor.workspace.id, filter: MessageFilter(status: status, recipient: recipient), page: PageRequest(limit: 50, afterID: cursor)
            )
            return pages.render("messages", [
                "nav": visitor.navigation(current: "sendingMessages"),
                "statuses": MessageStatus.allCases.map { ["name": $0.rawValue, "selected": $0 == status] as [String: Any] },
                "recipient": recipient ?? "", "hasMessages": !page.items.isEmpty,
                "messages": page.items.map { message -> [String: Any] in
                    [
                        "id": message.id, "status": message.status.rawValue, "subject": message.content.subject,
                        "to": message.content.to.map(\.email).joined(separator: ", "), "created": DashboardFormat.time(message.createdAt),
                        "test": message.mode == .test,
                    ]
                },
                "next": page.lastID.map { id in
                    "/app/messages?after=\(id)" + (status.map { "&status=\($0.rawValue)" } ?? "") + (recipient.map { "&recipient=\($0)" } ?? "")
                } as Any,
            ])
        }
    }

    func messagePage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in
            guard visitor.scopes.contains(.messagesRead) else { return forbidden(visitor, needs: .messagesRead) }
            let id = context.parameters.get("id") ?? ""
            guard let message = try? await messages.message(id: id, workspaceID: visitor.workspace.id) else {
                return pages.message("Not found", "No message \(id) in this workspace.", status: .notFound)
            }
            let content = message.content
            return pages.render("message-detail", [
                "nav": visitor.navigation(current: "sendingMessages"),
                "id": message.id, "status": message.status.rawValue, "subject": content.subject,
                "from": Self.mailbox(content.from), "to": content.to.map(Self.mailbox).joined(separator: ", "),
                "cc": content.cc.map(Self.mailbox).joined(separator: ", "), "messageID": message.messageIDHeader, "returnPath": message.returnPath,
                "tags": message.tags.joined(separator: ", "), "test": message.mode == .test,
                "events": message.events.map { event -> [String: Any] in
                    [
                        "type": event.kind.rawValue, "at": DashboardFormat.time(event.at), "detail": event.detail ?? "",
                        "next": event.nextAttemptAt.map(DashboardFormat.time) ?? "",
                    ]
                },
                "text": content.text ?? "", "html": content.html ?? "", "hasHTML": content.html != nil,
            ])
        }
    }

    func suppressionsPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await signedIn(request) { visitor in
            guard visitor.scopes.contains(.messagesRead) else { return forbidden(visitor, needs: .messagesRead) }
            let after: String? = request.uri.queryParameters.get("after").map { String($0) }
            let page = try await suppressions.suppressions(workspaceID: visitor.workspace.id, reason: nil, limit: 100, after: after)
            return pages.render("suppressions", [
                "nav": visitor.navigation(current: "sendingSuppressions"), "hasSuppressions": !page.items.isEmpty,
                "suppressions": page.items.map { suppression -> [String: Any] in
                    [
                        "address": suppression.address, "reason": suppression.reason.rawValue.replacingOccurrences(of: "_", with: " "),
                        "source": suppression.source ?? "", "created": DashboardFormat.time(suppression.createdAt),
                        "expires": suppression.expiresAt.map(DashboardFormat.time) ?? "never",
                    ]
                },
                "next": (page.hasMore ? page.items.last.map { "/app/suppressions?after=\($0.address)" } : nil) as Any,
            ])
        }
    }

    private static func mailbox(_ address: MessageAddress) -> String {
        address.name.map { "\($0) <\(address.email)>" } ?? address.email
    }
}
