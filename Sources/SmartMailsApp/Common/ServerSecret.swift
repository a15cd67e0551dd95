import Foundation
import Logging
import SmartMailsCore
import SmartMailsStore

/// The server's secret key, which seals what the database must not hold in the clear (DKIM private keys):
/// `SMARTMAILS_SECRET_KEY` when set; otherwise `secret.key` in the data folder, made on first start (mode 0600).
/// Nodes that share a PostgreSQL database must all be given the same key.
public enum ServerSecret {
    public static let fileName = "secret.key"
    static let fingerprintSetting = "secret_key_fingerprint"

    /// Refuses to start with a key other than the one the database's sealed values were made with (the first start
    /// records its key's fingerprint): a second node given another key, or a restored database without its key file.
    public static func check(_ box: SecretBox, against store: any ServerSettingsStore, now: Timestamp = .now) async throws {
        let recorded = try await store.setting(fingerprintSetting, defaultingTo: box.fingerprint, at: now)
        guard recorded == box.fingerprint else {
            throw SecretKeyError(
                "this database was set up with another secret key: give every node the same SMARTMAILS_SECRET_KEY (or the data folder's \(fileName)) that the first node used"
            )
        }
    }

    public static func load(configured: String?, dataDirectory: String, logger: Logger) throws -> SecretBox {
        if let configured {
            do {
                return try SecretBox(encodedKey: configured)
            } catch {
                throw SecretKeyError("SMARTMAILS_SECRET_KEY: \(error.description)")
            }
        }
        let path = dataDirectory + "/" + fileName
        // A file that exists but cannot be read is an error, never a reason to make a new key: that would orphan
        // every key sealed with the old one.
        if FileManager.default.fileExists(atPath: path) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw SecretKeyError("\(path) exists but cannot be read as text; fix its permissions or restore it")
            }
            do {
                return try SecretBox(encodedKey: text)
            } catch {
                throw SecretKeyError("\(path): \(error.description)")
            }
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let encoded = SecretBox.generateEncodedKey()
        // O_EXCL: two processes starting at once cannot both write a key (the loser reads the winner's), and 0600
        // from the start, so that no other user can read it even for a moment.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST { return try load(configured: nil, dataDirectory: dataDirectory, logger: logger) }
            throw SecretKeyError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        let bytes = Array((encoded + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw SecretKeyError("cannot write \(path)")
        }
        logger.notice("made a new secret key (keep it with the database: sealed DKIM keys do not open without it)", metadata: ["path": "\(path)"])
        return try SecretBox(encodedKey: encoded)
    }
}
