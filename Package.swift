// swift-tools-version: 6.2
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "smartmails",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "smartmails", targets: ["smartmails"]),
        .library(name: "SMTPKit", targets: ["SMTPKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", "5.0.1"..<"7.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // The domain: pure Swift, no HTTP, SQL or NIO.
        .target(
            name: "SmartMailsCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // Everything needed to put a message on the wire; knows nothing of SmartMails.
        .target(
            name: "SMTPKit",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // DNS lookups (TXT, MX) against one recursive server, for checking a domain's published records; knows
        // nothing of SmartMails.
        .target(
            name: "DNSKit",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // Storage protocols and their SQLKit implementation for SQLite and PostgreSQL.
        .target(
            name: "SmartMailsStore",
            dependencies: [
                "SmartMailsCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The use cases and background workers, with no HTTP: they take storage protocols and a clock.
        .target(
            name: "SmartMailsApp",
            dependencies: [
                "SmartMailsCore",
                "SmartMailsStore",
                "SMTPKit",
                "DNSKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // bcrypt only (a C implementation with no framework of its own), for passwords.
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                // Mail templates: a renderer with no access to files, environment or network.
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strictSettings
        ),
        // Types generated from openapi.yaml, the API contract; kept apart so the generator runs only when the spec changes.
        .target(
            name: "SmartMailsAPI",
            dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            resources: [.copy("openapi.yaml")],
            // The generator emits `public import`s that Swift 6.3 reports as unused in files with nothing to use
            // them; the target holds only generated code and a resource accessor, so its warnings are not ours.
            swiftSettings: [.unsafeFlags(["-suppress-warnings"])],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // The Hummingbird application.
        .target(
            name: "SmartMailsServer",
            dependencies: [
                "SmartMailsCore",
                "SmartMailsStore",
                "SmartMailsApp",
                "SmartMailsAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // The dashboard's templates and its stylesheet and script.
            resources: [.copy("Platform/Dashboard/Templates"), .copy("Platform/Dashboard/Assets")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "smartmails",
            dependencies: [
                "SmartMailsServer",
                "SmartMailsApp",
                "SmartMailsStore",
                "SmartMailsCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "key-bench",
            dependencies: [
                "SmartMailsApp", "SmartMailsStore", "SmartMailsCore", "SmartMailsTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/keys/Sources",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "smtp-bench",
            dependencies: ["SMTPKit", .product(name: "NIOCore", package: "swift-nio")],
            path: "bench/smtp/Sources",
            swiftSettings: strictSettings
        ),
        // Shared by the test targets: the databases every storage test runs on.
        .target(
            name: "SmartMailsTestSupport",
            dependencies: [
                "SmartMailsStore",
                "SmartMailsCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SmartMailsTestSupport",
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SmartMailsCoreTests",
            dependencies: ["SmartMailsCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SMTPKitTests",
            dependencies: ["SMTPKit", .product(name: "NIOCore", package: "swift-nio")],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "DNSKitTests",
            dependencies: ["DNSKit", "SmartMailsTestSupport", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SmartMailsStoreTests",
            dependencies: ["SmartMailsStore", "SmartMailsCore", "SmartMailsTestSupport", .product(name: "SQLKit", package: "sql-kit"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SmartMailsAppTests",
            dependencies: [
                "SmartMailsApp",
                "SmartMailsStore",
                "SmartMailsCore",
                "SmartMailsTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SmartMailsServerTests",
            dependencies: [
                "SmartMailsServer",
                "SmartMailsApp",
                "SmartMailsStore",
                "SmartMailsCore",
                "SmartMailsTestSupport",
                "SmartMailsAPI",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ],
            // Run by python3 from the source tree, not bundled.
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
