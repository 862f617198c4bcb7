import Foundation
import OrderedCollections
import Nodeflow
import Synchronization

/// What test nodes record, per test: each test passes its own `token` in node data, so tests
/// running in parallel never share a probe.
final class Probe: Sendable {
    struct Record {
        var processCalls: [String: Int] = [:]
        var finalized: [String] = []
        var initialized: [String] = []
        var active = 0
        var highWater = 0
        var intervals: [(id: String, start: ContinuousClock.Instant, end: ContinuousClock.Instant)] = []
        var sessions: [String] = []
    }

    let token = UUID().uuidString
    private let record = Mutex(Record())

    private static let all = Mutex<[String: Probe]>([:])

    init() {
        Probe.all.withLock { $0[token] = self }
    }

    static func named(_ token: String) -> Probe? { all.withLock { $0[token] } }

    func update<T>(_ body: (inout Record) -> T) -> T { record.withLock { body(&$0) } }

    var snapshot: Record { record.withLock { $0 } }

    func calls(_ id: String) -> Int { snapshot.processCalls[id, default: 0] }
}

private let tokenProperty = PropertyDescriptor("token", .string, default: "", description: "The test's probe.")

extension NodeContext {
    var probe: Probe? { Probe.named(self["token"].stringValue ?? "") }
}

/// Adds `a` and `b` (ints) and counts its calls.
struct CountingAdd: Node {
    static let metadata = NodeMetadata(
        type: "test.CountingAdd",
        properties: [PropertyDescriptor("a", .int, default: 0), PropertyDescriptor("b", .int, default: 0), tokenProperty],
        outputs: [OutputDescriptor("output", .int)], runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        context.probe?.update { $0.processCalls[context.nodeID, default: 0] += 1 }
        return NodeOutputs(.int(try context.input("a", as: Int.self) + context.input("b", as: Int.self)))
    }
}

/// Sleeps `ms` milliseconds (cancellably), tracking concurrency and finalize calls, then outputs `value`.
struct SleepNode: Node {
    static let metadata = NodeMetadata(
        type: "test.Sleep",
        properties: [PropertyDescriptor("ms", .int, default: 0), PropertyDescriptor("value", .any, default: .null), PropertyDescriptor("fail", .bool, default: false), tokenProperty],
        outputs: [OutputDescriptor("output", .any)])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let probe = context.probe
        let start = ContinuousClock.now
        probe?.update {
            $0.processCalls[context.nodeID, default: 0] += 1
            $0.active += 1
            $0.highWater = max($0.highWater, $0.active)
        }
        defer {
            let end = ContinuousClock.now
            probe?.update {
                $0.active -= 1
                $0.intervals.append((context.nodeID, start, end))
            }
        }
        try await Task.sleep(for: .milliseconds(try context.input("ms", as: Int.self)))
        if try context.input("fail", as: Bool.self) { throw NodeError("asked to fail") }
        return NodeOutputs(context["value"])
    }

}

/// Records `initialize` and `finalize` calls, then sleeps `ms` and maybe fails.
struct FinalizeRecorder: Node {
    static let metadata = NodeMetadata(
        type: "test.FinalizeRecorder",
        properties: [PropertyDescriptor("ms", .int, default: 0), PropertyDescriptor("fail", .bool, default: false), tokenProperty],
        outputs: [OutputDescriptor("output", .any)])

    func initialize(_ node: NodeSpec, context: ProcessingContext) async throws {
        Probe.named(node.data["token"]?.stringValue ?? "")?.update { $0.initialized.append(node.id) }
    }

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        context.probe?.update { $0.processCalls[context.nodeID, default: 0] += 1 }
        try await Task.sleep(for: .milliseconds(try context.input("ms", as: Int.self)))
        if try context.input("fail", as: Bool.self) { throw NodeError("asked to fail") }
        return NodeOutputs(.int(1))
    }

    func finalize(_ node: NodeSpec, context: ProcessingContext) async {
        Probe.named(node.data["token"]?.stringValue ?? "")?.update { $0.finalized.append(node.id) }
    }
}

/// Needs a GPU slot; records when it held it.
struct GPUNode: Node {
    static let metadata = NodeMetadata(
        type: "test.GPU",
        properties: [PropertyDescriptor("ms", .int, default: 20), tokenProperty],
        outputs: [OutputDescriptor("output", .int)], requiredResources: [.gpu])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let start = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(try context.input("ms", as: Int.self)))
        let end = ContinuousClock.now
        context.probe?.update { $0.intervals.append((context.nodeID, start, end)) }
        return NodeOutputs(.int(context.deviceSlot ?? -1))
    }
}

/// Fails its first `failures` attempts, then outputs the attempt number.
struct FlakyNode: Node {
    static let metadata = NodeMetadata(
        type: "test.Flaky",
        properties: [PropertyDescriptor("failures", .int, default: 1), tokenProperty],
        outputs: [OutputDescriptor("output", .int)],
        retryPolicy: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(1), jitter: 0.5))

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let attempt = context.probe?.update { r -> Int in
            r.processCalls[context.nodeID, default: 0] += 1
            return r.processCalls[context.nodeID]!
        } ?? 1
        if attempt <= (try context.input("failures", as: Int.self)) { throw NodeError("attempt \(attempt) fails") }
        return NodeOutputs(.int(attempt))
    }
}

/// Takes longer than its 50 ms timeout.
struct SlowNode: Node {
    static let metadata = NodeMetadata(type: "test.Slow", outputs: [OutputDescriptor("output", .int)], timeout: .milliseconds(50))

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        try await Task.sleep(for: .seconds(10))
        return NodeOutputs(.int(0))
    }
}

/// Reports progress 1..3 of 3.
struct ProgressNode: Node {
    static let metadata = NodeMetadata(type: "test.Progress", outputs: [OutputDescriptor("output", .int)])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        for step in 1...3 { context.reportProgress(step, of: 3) }
        return NodeOutputs(.int(3))
    }
}

/// A registry with the test nodes and the built-in library.
/// Emits each dynamic output the file names, as the name's length (an agent-like node).
struct DynamicOutputsNode: Node {
    static let metadata = NodeMetadata(type: "test.DynamicOutputs", outputs: [OutputDescriptor("output", .int)], supportsDynamicOutputs: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        var slots: OrderedDictionary<String, Value> = ["output": 0]
        for case .string(let name) in context["names"].listValue ?? [] { slots[name] = .int(name.count) }
        return NodeOutputs(slots: slots)
    }
}

func testRegistry() -> NodeRegistry {
    var registry = NodeRegistry.standard
    registry.register([CountingAdd.self, SleepNode.self, FinalizeRecorder.self, GPUNode.self, FlakyNode.self, SlowNode.self, ProgressNode.self, DynamicOutputsNode.self])
    return registry
}

import NodeflowNodes

/// Builds graphs tersely: `node("a", "test.Sleep", ["ms": 10])`, `edge("a", "b", "a")`.
func node(_ id: String, _ type: String, _ data: [String: Value] = [:], parent: String? = nil) -> NodeSpec {
    NodeSpec(id: id, type: type, data: .init(uniqueKeysWithValues: data.sorted { $0.key < $1.key }), parentID: parent)
}

func edge(_ source: String, _ target: String, _ property: String, slot: String = "output") -> EdgeSpec {
    EdgeSpec(id: "\(source)->\(target).\(property)", source: source, sourceHandle: slot, target: target, targetHandle: property)
}

/// Runs a graph and collects every message.
func runCollecting(
    _ graph: Graph, params: [String: Value] = [:], configuration: WorkflowRunner.Configuration = .init(registry: testRegistry()),
    cache: (any ResultCache)? = nil, runner: WorkflowRunner? = nil
) async -> (result: Result<[String: Value], any Error>, messages: [ProcessingMessage], runner: WorkflowRunner) {
    let runner = runner ?? WorkflowRunner(jobID: "test", configuration: configuration)
    let context = ProcessingContext(cache: cache)
    let request = RunJobRequest(graph: graph, params: .init(uniqueKeysWithValues: params.sorted { $0.key < $1.key }))
    async let collected: [ProcessingMessage] = {
        var all: [ProcessingMessage] = []
        for await m in context.messages { all.append(m) }
        return all
    }()
    let result: Result<[String: Value], any Error>
    do {
        let outputs = try await runner.run(request, context: context)
        result = .success(Dictionary(uniqueKeysWithValues: outputs.map { ($0.key, $0.value) }))
    } catch {
        result = .failure(error)
    }
    return (result, await collected, runner)
}

extension Array where Element == ProcessingMessage {
    var nodeUpdates: [NodeUpdate] {
        compactMap { if case .nodeUpdate(let u) = $0 { return u } else { return nil } }
    }
    var jobUpdates: [JobUpdate] {
        compactMap { if case .jobUpdate(let u) = $0 { return u } else { return nil } }
    }
    func statuses(of id: String) -> [NodeStatus] {
        nodeUpdates.filter { $0.nodeID == id }.map(\.status)
    }
}
