import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import SMTPKit
import SQLKit
import SmartMailsApp
import SmartMailsCore
import SmartMailsServer
import SmartMailsStore
import SmartMailsTestSupport
import Testing

@Suite struct DomainsAPITests {
    @Test(arguments: TestDatabase.all)
    func addingADomainMakesBothKeysAndAnswersTheRecordsButNeverAPrivateKey(database: TestDatabase) async throws {
        try await TestApp.run(on: database, configure: { $0.mailHost = "mx.smartmails.example" }) { app, client in
            let created = try await client.call(.post, "/v1/domains", key: app.adminKey, json: #"{"name":"Mail.Example.COM"}"#)
            #expect(created.status == .created)
            let body = String(buffer: created.body)
            #expect(!body.contains("PRIVATE") && !body.contains("v1:"), "a private key (or its sealed form) left the server")
            let id = try #require(created.json["id"] as? String)
            #expect(id.hasPrefix("dom_"))
            #expect(created.json["name"] as? String == "mail.example.com")
            #expect(created.json["return_path_host"] as? String == "bounces.mail.example.com")
            let dkim = try #require(created.json["dkim"] as? [[String: Any]])
            #expect(dkim.compactMap { $0["algorithm"] as? String } == ["ed25519", "rsa"])
            let records = try #require(created.json["dns_records"] as? [[String: Any]])
            #expect(records.compactMap { $0["purpose"] as? String } == ["dkim", "dkim", "spf", "dmarc", "return_path"])
            let selectors = dkim.compactMap { $0["selector"] as? String }
            #expect(records.prefix(2).compactMap { $0["name"] as? String } == selectors.map { "\($0)._domainkey.mail.example.com" })
            #expect((records[0]["value"] as? String)?.hasPrefix("v=DKIM1; k=ed25519; p=") == true)
            #expect((records[1]["value"] as? String)?.hasPrefix("v=DKIM1; k=rsa; p=") == true)
            #expect(records[4]["type"] as? String == "MX" && records[4]["value"] as? String == "10 mx.smartmails.example.")

            // In the database the private keys are sealed; opened with the server's secret, each matches its
            // published record, and under another secret they do not open at all.
            let sealed = try await app.store.client.withReader { database in
                try await database.raw("SELECT sealed_private_key FROM dkim_keys WHERE domain_id = \(bind: id)").all().map { try $0.decode(column: "sealed_private_key", as: String.self) }
            }
            #expect(sealed.count == 2 && sealed.allSatisfy { $0.hasPrefix("v1:") && !$0.contains("PRIVATE") })
            let settings = DomainRecordSettings(spfInclude: nil, inboundHost: "mx.smartmails.example")
            let service = DomainService(store: app.store, secrets: try SecretBox(encodedKey: app.secretKey), settings: settings)
            let domain = try await service.domain(id: id, workspaceID: app.workspace.id)
            let opened = try service.signingKeys(of: domain)
            #expect(opened.map(\.key.algorithm) == [.ed25519SHA256, .rsaSHA256])
            for (index, key) in opened.enumerated() {
                #expect(key.key.dnsRecord(selector: key.selector, domain: domain.name).value == records[index]["value"] as? String)
            }
            let stranger = DomainService(store: app.store, secrets: try SecretBox(encodedKey: SecretBox.generateEncodedKey()), settings: settings)
            #expect(throws: SecretKeyError.self) { try stranger.signingKeys(of: domain) }

            // Read back, listed, and audited.
            let fetched = try await client.call(.get, "/v1/domains/\(id)", key: app.adminKey)
            #expect(fetched.status == .ok && (fetched.json["dns_records"] as? [Any])?.count == 5)
            let listed = try await client.call(.get, "/v1/domains", key: app.adminKey)
            #expect((listed.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
            let audit = try await client.call(.get, "/v1/audit-log?target_id=\(id)", key: app.adminKey)
            #expect((audit.json["data"] as? [[String: Any]])?.first?["action"] as? String == "domain.created")
        }
    }

    @Test(arguments: TestDatabase.all)
    func badNamesDuplicatesAndDeletesAreAnsweredClearly(database: TestDatabase) async throws {
        try await TestApp.run(on: database) { app, client in
            for bad in [#"{"name":"localhost"}"#, #"{"name":"a..example"}"#, #"{"name":"exa mple.com"}"#] {
                let refused = try await client.call(.post, "/v1/domains", key: app.adminKey, json: bad)
                refused.expectError(.unprocessableContent, code: "validation_failed")
                #expect(refused.errorParam == "name")
            }
            try await client.call(.post, "/v1/domains", key: app.adminKey, json: #"{"name":"example.com","dkim":"mine"}"#).expectError(.badRequest, code: "unknown_parameter")
            let first = try await client.call(.post, "/v1/domains", key: app.adminKey, json: #"{"name":"example.com"}"#)
            let id = try #require(first.json["id"] as? String)
            // The same name in any spelling is the same domain.
            let again = try await client.call(.post, "/v1/domains", key: app.adminKey, json: #"{"name":"EXAMPLE.com."}"#)
            again.expectError(.conflict, code: "domain_exists")
            #expect(again.errorMessage.contains(id))
            // Nothing half-written by the refusals: one domain, two keys.
            let keyRows = try await app.store.client.withReader { try await $0.raw("SELECT COUNT(*) AS n FROM dkim_keys").first()?.decode(column: "n", as: Int.self) }
            #expect(keyRows == 2)

            // A key with every write scope but domains:admin is refused; the admin preset holds it.
            let writer = try await app.makeKey(scopes: ["write"]).token.rawValue
            try await client.call(.get, "/v1/domains", key: writer).expectError(.forbidden, code: "insufficient_scope")

            let deleted = try await client.call(.delete, "/v1/domains/\(id)", key: app.adminKey)
            #expect(deleted.status == .ok && deleted.json["deleted"] as? Bool == true)
            try await client.call(.get, "/v1/domains/\(id)", key: app.adminKey).expectError(.notFound, code: "not_found")
            try await client.call(.delete, "/v1/domains/\(id)", key: app.adminKey).expectError(.notFound, code: "not_found")
            let keysLeft = try await app.store.client.withReader { try await $0.raw("SELECT COUNT(*) AS n FROM dkim_keys").first()?.decode(column: "n", as: Int.self) }
            #expect(keysLeft == 0)
            // Deleted, the name can be added again.
            #expect(try await client.call(.post, "/v1/domains", key: app.adminKey, json: #"{"name":"example.com"}"#).status == .created)
        }
    }
}

@Suite struct ServerSecretTests {
    @Test(arguments: TestDatabase.all)
    func aNodeWithAnotherSecretKeyThanTheDatabasesIsRefused(database: TestDatabase) async throws {
        try await database.withStore { store in
            let encoded = SecretBox.generateEncodedKey()
            try await ServerSecret.check(try SecretBox(encodedKey: encoded), against: store)
            // The same key again (a restart, a second node given it) is fine; another key is refused, naming the fix.
            try await ServerSecret.check(try SecretBox(encodedKey: encoded), against: store)
            let other = try SecretBox(encodedKey: SecretBox.generateEncodedKey())
            let error = await #expect(throws: SecretKeyError.self) { try await ServerSecret.check(other, against: store) }
            #expect(error?.description.contains("SMARTMAILS_SECRET_KEY") == true)
        }
    }

    @Test func theFirstStartMakesAKeyFileOnlyTheOwnerCanReadAndLaterStartsReuseIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smartmails-secret-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "test")
        let first = try ServerSecret.load(configured: nil, dataDirectory: directory, logger: logger)
        let path = directory + "/" + ServerSecret.fileName
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)
        #expect(mode.intValue & 0o077 == 0, "the key file is readable by others: \(String(mode.intValue, radix: 8))")
        let second = try ServerSecret.load(configured: nil, dataDirectory: directory, logger: logger)
        #expect(try second.open(first.seal("x", context: "c"), context: "c") == "x")
        // A configured key wins over the file, and a malformed one stops the start with a clear reason.
        let configured = try ServerSecret.load(configured: String(repeating: "0f", count: 32), dataDirectory: directory, logger: logger)
        #expect(throws: SecretKeyError.self) { try configured.open(first.seal("x", context: "c"), context: "c") }
        let error = #expect(throws: SecretKeyError.self) { try ServerSecret.load(configured: "short", dataDirectory: directory, logger: logger) }
        #expect(error?.description.contains("SMARTMAILS_SECRET_KEY") == true)
        // A damaged key file stops the start; it is never replaced by a new key, which would orphan every sealed one.
        try Data("not a key\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: SecretKeyError.self) { try ServerSecret.load(configured: nil, dataDirectory: directory, logger: logger) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "not a key\n")
    }
}
