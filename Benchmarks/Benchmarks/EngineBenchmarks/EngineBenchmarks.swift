import Benchmark
import Nodeflow
import NodeflowNodes
import NodeflowTesting

/// The engine's hot paths on generated workflows: a run of each shape at several sizes (messages
/// delivered to a consumer included), loading and validating a workflow, and a run whose every
/// node is served by a warm cache. Graph generation is outside the measurement.
let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .throughput, .peakMemoryResident, .mallocCountTotal]
    let registry = NodeRegistry.standard

    func configuration(_ nodes: Int) -> Benchmark.Configuration {
        // Big graphs take seconds: fewer iterations, so the whole suite finishes in minutes.
        .init(metrics: metrics, timeUnits: .milliseconds, warmupIterations: nodes >= 100_000 ? 0 : 1,
              maxDuration: .seconds(nodes >= 100_000 ? 20 : 5), maxIterations: nodes >= 1_000_000 ? 2 : (nodes >= 100_000 ? 5 : 50))
    }

    /// Runs a graph and drains its messages, as a client would.
    @Sendable func run(_ graph: Graph, cache: (any ResultCache)? = nil) async throws -> Int {
        let runner = WorkflowRunner(jobID: "bench", configuration: .init(registry: registry))
        let context = ProcessingContext(cache: cache)
        async let delivered: Int = {
            var count = 0
            for await _ in context.messages { count += 1 }
            return count
        }()
        let outputs = try await runner.run(RunJobRequest(graph: graph), context: context)
        blackHole(outputs)
        return await delivered
    }

    let shapes: [(String, [Int], @Sendable (Int) -> Graph)] = [
        ("chain", [1_000, 10_000, 100_000, 1_000_000], { WorkflowShapes.chain($0) }),
        ("fanout", [1_000, 10_000, 100_000], { WorkflowShapes.fanout($0 / 2) }),
        ("lattice", [1_000, 10_000, 100_000], { n in WorkflowShapes.lattice(width: 100, depth: n / 100) }),
        ("loop", [1_000, 10_000, 100_000, 1_000_000], { WorkflowShapes.loop($0) }),
    ]
    for (shape, sizes, make) in shapes {
        for size in sizes {
            Benchmark("run \(shape) \(size)", configuration: configuration(size)) { benchmark in
                let graph = make(size)
                benchmark.startMeasurement()
                blackHole(try await run(graph))
                benchmark.stopMeasurement()
            }
        }
    }

    for size in [10_000, 100_000] {
        Benchmark("load and validate chain \(size)", configuration: configuration(size)) { benchmark in
            let text = WorkflowShapes.chain(size).jsonValue.jsonString()
            benchmark.startMeasurement()
            let workflow = try Workflow(json: text)
            blackHole(try GraphValidator(registry: registry, gpuSlots: 0).compile(workflow.graph))
            benchmark.stopMeasurement()
        }
    }

    // Two independent CPU-bound nodes of 100 ms each should finish together on two cores.
    Benchmark("run two CPU-bound 100 ms nodes", configuration: .init(metrics: [.wallClock, .cpuTotal], timeUnits: .milliseconds, maxIterations: 10)) { benchmark in
        var spinning = registry
        spinning.register(BusyNode.self)
        let graph = Graph(nodes: [NodeSpec(id: "a", type: BusyNode.metadata.type), NodeSpec(id: "b", type: BusyNode.metadata.type)])
        benchmark.startMeasurement()
        let runner = WorkflowRunner(jobID: "bench", configuration: .init(registry: spinning))
        let context = ProcessingContext()
        async let drained: Void = { for await _ in context.messages {} }()
        blackHole(try await runner.run(RunJobRequest(graph: graph), context: context))
        await drained
        benchmark.stopMeasurement()
    }

    Benchmark("run chain 10000 warm cache", configuration: configuration(10_000)) { benchmark in
        let graph = WorkflowShapes.chain(10_000)
        let cache = MemoryResultCache(maxEntries: 20_000)
        _ = try await run(graph, cache: cache)
        benchmark.startMeasurement()
        blackHole(try await run(graph, cache: cache))
        benchmark.stopMeasurement()
    }
}
