// swift-tools-version: 6.1
// The benchmark suite lives in its own package, as swift-nio's does, so package-benchmark stays
// out of `swift build` and `swift test`. Run it with `swift package benchmark` from this folder.
import Foundation
import PackageDescription

// A path dependency is named after its folder, which depends on where the project was cloned.
let nodeflow = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "NodeflowBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "Nodeflow", package: nodeflow),
                .product(name: "NodeflowNodes", package: nodeflow),
                .product(name: "NodeflowTesting", package: nodeflow),
            ],
            path: "Benchmarks/EngineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        // One workflow in-process with per-phase timings, for perf and callgrind.
        .executableTarget(
            name: "EngineProfile",
            dependencies: [
                .product(name: "Nodeflow", package: nodeflow),
                .product(name: "NodeflowNodes", package: nodeflow),
                .product(name: "NodeflowTesting", package: nodeflow),
            ],
            path: "Profile/EngineProfile"
        ),
    ],
    swiftLanguageModes: [.v6]
)
