// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "nodeflow",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Nodeflow", targets: ["Nodeflow"]),
        .library(name: "NodeflowNodes", targets: ["NodeflowNodes"]),
        .library(name: "NodeflowTesting", targets: ["NodeflowTesting"]),
        .library(name: "NodeflowJobs", targets: ["NodeflowJobs"]),
        .library(name: "NodeflowServer", targets: ["NodeflowServer"]),
        .library(name: "NodeflowPython", targets: ["NodeflowPython"]),
        .library(name: "NodeflowPostgres", targets: ["NodeflowPostgres"]),
        .executable(name: "nodeflow", targets: ["nodeflow"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.24.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // The engine: values, graphs, validation, the runner, messages, the cache. No I/O of its own.
        .target(
            name: "Nodeflow",
            dependencies: [
                .product(name: "Collections", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The built-in node library, with nodetool's type names.
        .target(name: "NodeflowNodes", dependencies: ["Nodeflow"]),
        // zlib, from the system (Debian's zlib1g-dev), for what the job store keeps in bulk.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Jobs that survive: the job store (a protocol, with an SQLite implementation on GRDB),
        // the disk result cache, recording a run's messages and results, and resuming a run.
        .target(
            name: "NodeflowJobs",
            dependencies: [
                "Nodeflow",
                "CZlib",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Collections", package: "swift-collections"),
            ]
        ),
        // Python node packs through nodetool's worker protocol: the msgpack codec, worker
        // processes and their pool, discovered node types.
        .target(
            name: "NodeflowPython",
            dependencies: [
                "Nodeflow",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Collections", package: "swift-collections"),
            ]
        ),
        // The job store on PostgreSQL (postgres-nio), for workers on many machines.
        .target(
            name: "NodeflowPostgres",
            dependencies: [
                "Nodeflow",
                "NodeflowJobs",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Collections", package: "swift-collections"),
            ]
        ),
        // The HTTP API over the job store: submit, list, follow and cancel jobs.
        .target(
            name: "NodeflowServer",
            dependencies: [
                "Nodeflow",
                "NodeflowNodes",
                "NodeflowJobs",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Collections", package: "swift-collections"),
            ]
        ),
        // Helpers for tests and benchmarks: generated workflows of any size.
        .target(
            name: "NodeflowTesting",
            dependencies: ["Nodeflow", .product(name: "Collections", package: "swift-collections")]
        ),
        // The command line: a thin layer over the two libraries.
        .executableTarget(
            name: "nodeflow",
            dependencies: [
                "Nodeflow",
                "NodeflowNodes",
                "NodeflowJobs",
                "NodeflowServer",
                "NodeflowPython",
                "NodeflowPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The Swift runtime and Foundation linked in: no shared-library loading and symbol
            // binding at start, which took most of a short run's time.
            linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xlinker", "--start-group", "-Xlinker", "-lFoundation", "-Xlinker", "-lFoundationNetworking", "-Xlinker", "-lFoundationInternationalization", "-Xlinker", "-lFoundationEssentials", "-Xlinker", "-lCoreFoundation", "-Xlinker", "-l_CFURLSessionInterface", "-Xlinker", "-l_FoundationCollections", "-Xlinker", "-l_FoundationCShims", "-Xlinker", "-l_FoundationICU", "-Xlinker", "-lswiftDispatch", "-Xlinker", "-ldispatch", "-Xlinker", "-lBlocksRuntime", "-Xlinker", "--end-group", "-Xlinker", "-lstdc++"], .when(platforms: [.linux]))]
        ),
        .testTarget(name: "NodeflowTests", dependencies: ["Nodeflow", "NodeflowNodes", "NodeflowTesting"]),
        .testTarget(name: "NodeflowPythonTests", dependencies: ["NodeflowPython", "Nodeflow", "NodeflowNodes"]),
        .testTarget(
            name: "NodeflowJobsTests",
            dependencies: ["Nodeflow", "NodeflowNodes", "NodeflowJobs", "NodeflowPostgres", "NodeflowTesting", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "NodeflowServerTests",
            dependencies: [
                "Nodeflow", "NodeflowJobs", "NodeflowServer",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ]
        ),
        .testTarget(
            name: "NodeflowNodesTests",
            dependencies: ["Nodeflow", "NodeflowNodes", "NodeflowJobs", "NodeflowPostgres", "NodeflowTesting", .product(name: "PropertyBased", package: "swift-property-based")],
            resources: [.copy("Conformance")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
