import Foundation
import NIOCore
import SMTPKit

/// The embedded default: each message is written, signed as it would go out, to `<data>/outbox/<workspace>/<id>.eml`,
/// so a newcomer sees real messages without a mail server. Written to a temporary name and renamed, so a reader
/// never sees half a file.
public struct OutboxTransport: MailTransport {
    public let directory: String
    public var name: String { "outbox" }

    public init(directory: String) { self.directory = directory }

    public func deliver(_ message: ByteBuffer, envelope: SMTPEnvelope, messageID: String, workspaceID: String) async throws -> SMTPSendResult {
        let folder = URL(fileURLWithPath: directory).appendingPathComponent(workspaceID, isDirectory: true)
        let file = folder.appendingPathComponent(messageID + ".eml")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let temporary = folder.appendingPathComponent("." + messageID + ".tmp")
            var bytes = message
            try Data(bytes.readBytes(length: bytes.readableBytes) ?? []).write(to: temporary)
            // rename(2) replaces a file left by an earlier attempt in one step.
            guard rename(temporary.path, file.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            throw SMTPClientError.network("outbox: \(error.localizedDescription)")
        }
        let reply = SMTPReply(code: 250, "2.0.0 written to the outbox as \(workspaceID)/\(messageID).eml")
        return SMTPSendResult(recipients: envelope.recipients.map { SMTPRecipientResult(address: $0, reply: SMTPReply(code: 250, "2.1.5 Ok")) }, dataReply: reply)
    }

    public func shutdown() async {}

    /// The written messages of a workspace, newest first.
    public func entries(workspaceID: String, limit: Int) throws -> [OutboxEntry] {
        let folder = URL(fileURLWithPath: directory).appendingPathComponent(workspaceID, isDirectory: true)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let entries = names.filter { $0.hasSuffix(".eml") }.compactMap { name -> OutboxEntry? in
            let path = folder.appendingPathComponent(name).path
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
            return OutboxEntry(
                messageID: String(name.dropLast(4)), size: (attributes[.size] as? Int) ?? 0,
                writtenAt: (attributes[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0)
            )
        }
        return Array(entries.sorted { ($0.writtenAt, $0.messageID) > ($1.writtenAt, $1.messageID) }.prefix(limit))
    }

    /// The `.eml` of one message; nil when the outbox has none of that id (a name is checked, never a path).
    public func contents(of messageID: String, workspaceID: String) -> Data? {
        guard messageID.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) }) else { return nil }
        let file = URL(fileURLWithPath: directory).appendingPathComponent(workspaceID, isDirectory: true).appendingPathComponent(messageID + ".eml")
        return FileManager.default.contents(atPath: file.path)
    }
}

public struct OutboxEntry: Sendable {
    public let messageID: String
    public let size: Int
    public let writtenAt: Date
}
