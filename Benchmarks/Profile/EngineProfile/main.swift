import Foundation
import Nodeflow
import NodeflowNodes
import NodeflowTesting

// Runs one generated workflow in-process, timing each phase, for profiling with perf or callgrind:
//   swift run -c release EngineProfile chain 100000 [repeat]
// Phases: generate (not the engine), compile (validate + plan), run (messages drained by a consumer).

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count >= 2, let size = Int(arguments[arguments.startIndex + 1]) else {
    print("usage: EngineProfile chain|fanout|lattice|loop SIZE [REPEAT]")
    exit(2)
}
let shape = arguments[arguments.startIndex]
let repeats = arguments.count > 2 ? Int(arguments[arguments.startIndex + 2]) ?? 1 : 1

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

let clock = ContinuousClock()
var start = clock.now
let graph: Graph
switch shape {
case "chain": graph = WorkflowShapes.chain(size)
case "fanout": graph = WorkflowShapes.fanout(size / 2)
case "lattice": graph = WorkflowShapes.lattice(width: 100, depth: max(1, size / 100))
case "loop": graph = WorkflowShapes.loop(size)
case "spin": graph = Graph(nodes: (0..<size).map { NodeSpec(id: "s\($0)", type: "bench.Busy") })
default: print("unknown shape \(shape)"); exit(2)
}
print(String(format: "generate: %.1f ms (%d nodes)", seconds(clock.now - start) * 1000, graph.nodes.count))

var registry = NodeRegistry.standard
registry.register(BusyNode.self)
for _ in 0..<repeats {
    start = clock.now
    let plan = try GraphValidator(registry: registry, gpuSlots: 0).compile(graph)
    let compiled = seconds(clock.now - start)
    _ = plan

    let runner = WorkflowRunner(jobID: "profile", configuration: .init(registry: registry))
    let context = ProcessingContext()
    start = clock.now
    async let delivered: Int = {
        var count = 0
        for await _ in context.messages { count += 1 }
        return count
    }()
    _ = try await runner.run(RunJobRequest(graph: graph), context: context)
    let messages = await delivered
    let total = seconds(clock.now - start)
    print(String(format: "compile: %.1f ms   run (compile included): %.1f ms = %.2f µs/node, %d messages", compiled * 1000, total * 1000, total / Double(graph.nodes.count) * 1e6, messages))
}
