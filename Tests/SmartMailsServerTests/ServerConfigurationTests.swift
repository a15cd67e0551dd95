import SmartMailsServer
import Testing

/// The defaults the README promises for `smartmails serve` with no flags and no `SMARTMAILS_*` variables.
@Suite struct ServerConfigurationTests {
    @Test func withNothingSetTheServerListensOnLoopback8080WithItsDataInDotData() {
        let configuration = ServerConfiguration()
        #expect(configuration.host == "127.0.0.1" && configuration.port == 8080)
        #expect(configuration.databaseURL == nil && configuration.sqlitePath == "./data/smartmails.sqlite")
    }
}
