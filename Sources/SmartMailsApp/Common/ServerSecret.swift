import Foundation
import Logging
import SmartMailsCore

/// The server's secret key, which seals what the database must not hold in the clear (DKIM private keys):
/// `SMARTMAILS_SECRET_KEY` when set; otherwise `secret.key` in the data folder, made on first start (mode 0600).
/// Nodes that share a PostgreSQL database must all be given the same key.
public enum ServerSecret {
    public static let fileName = "secret.key"

    public static func load(configured: String?, dataDirectory: String, logger: Logger) throws -> SecretBox {
        if let configured {
            do {
                return try SecretBox(encodedKey: configured)
            } catch {
                throw SecretKeyError("SMARTMAILS_SECRET_KEY: \(error.description)")
            }
        }
        let path = dataDirectory + "/" + fileName
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            do {
                return try SecretBox(encodedKey: text)
            } catch {
                throw SecretKeyError("\(path): \(error.description)")
            }
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let encoded = SecretBox.generateEncodedKey()
        // Created with 0600 from the start, so that no other user can read it even for a moment.
        guard FileManager.default.createFile(atPath: path, contents: Data((encoded + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw SecretKeyError("cannot write \(path)")
        }
        logger.notice("made a new secret key (keep it with the database: sealed DKIM keys do not open without it)", metadata: ["path": "\(path)"])
        return try SecretBox(encodedKey: encoded)
    }
}
