import Foundation
import Nodeflow
import NodeflowNodes
import Testing

/// Counts from 0 to `count` (exclusive), recording how many items were pulled.
struct CountingGenerator: GeneratorNode {
    static let metadata = NodeMetadata(
        type: "test.Count",
        properties: [PropertyDescriptor("count", .int, default: 0), PropertyDescriptor("token", .string, default: "")],
        outputs: [OutputDescriptor("output", .int)], isCacheable: false, runsInline: true)

    func generate(_ context: NodeContext) async throws -> any NodeItemIterator {
        Numbers(count: try context.input("count"), probe: context.probe, id: context.nodeID)
    }

    struct Numbers: NodeItemIterator {
        let count: Int
        let probe: Probe?
        let id: String
        var next = 0

        mutating func next() async throws -> NodeOutputs? {
            guard next < count else { return nil }
            defer { next += 1 }
            probe?.update { $0.processCalls[id, default: 0] += 1 }
            return NodeOutputs(.int(next))
        }
    }

    func finalize(_ node: NodeSpec, context: ProcessingContext) async {
        Probe.named(node.data["token"]?.stringValue ?? "")?.update { $0.finalized.append(node.id) }
    }
}

/// Records how many items its source had pulled when it got each value (after a short sleep).
struct LaggingReader: Node {
    static let metadata = NodeMetadata(
        type: "test.Lagging",
        properties: [PropertyDescriptor("value", .int, default: 0), PropertyDescriptor("source", .string, default: ""), PropertyDescriptor("token", .string, default: "")],
        outputs: [OutputDescriptor("output", .int)])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        try await Task.sleep(for: .microseconds(200))
        let value: Int = try context.input("value")
        let source = context["source"].stringValue ?? ""
        context.probe?.update { record in
            // The distance between what the source produced and what is being processed here.
            let lag = record.processCalls[source, default: 0] - value - 1
            record.highWater = max(record.highWater, lag)
        }
        return NodeOutputs(.int(value))
    }
}

@Suite("Streams in the runner", .timeLimit(.minutes(1)))
struct StreamRunnerTests {
    static func registry() -> NodeRegistry {
        var registry = testRegistry()
        registry.register([CountingGenerator.self, LaggingReader.self])
        return registry
    }

    static func run(_ graph: Graph, configuration: WorkflowRunner.Configuration? = nil, runner: WorkflowRunner? = nil) async -> (result: Result<[String: Value], any Error>, messages: [ProcessingMessage], runner: WorkflowRunner) {
        await runCollecting(graph, configuration: configuration ?? .init(registry: registry()), runner: runner)
    }

    @Test("backpressure: a slow node in a task holds the generator within the buffer")
    func backpressure() async throws {
        let probe = Probe()
        let t: Value = .string(probe.token)
        let graph = Graph(
            nodes: [
                node("count", "test.Count", ["count": 300, "token": t]),
                node("slow", "test.Lagging", ["source": "count", "token": t]),
                node("collect", "nodetool.control.Collect"),
                node("out", "nodetool.output.Output", ["name": "values"]),
            ],
            edges: [edge("count", "slow", "value"), edge("slow", "collect", "input_item"), edge("collect", "out", "value")])
        var configuration = WorkflowRunner.Configuration(registry: Self.registry())
        configuration.streamBufferSize = 8
        let run = await Self.run(graph, configuration: configuration)
        let outputs = try run.result.get()
        #expect(outputs["values"] == .list([.list((0..<300).map { .int($0) })]))
        // The generator ran at most the buffer (8), plus the value in the node, ahead of it.
        #expect(probe.snapshot.highWater <= 9)
        #expect(probe.snapshot.highWater >= 1, "the generator did run ahead while the node slept")
    }

    @Test("a cancel mid-stream ends a long inline stream quickly; finalize runs once per node")
    func cancelMidStream() async throws {
        let probe = Probe()
        let t: Value = .string(probe.token)
        let graph = Graph(
            nodes: [
                node("count", "test.Count", ["count": 1_000_000_000, "token": t]),
                node("add", "nodetool.math.Add", ["b": 1]),
                node("collect", "nodetool.control.Collect"),
            ],
            edges: [edge("count", "add", "a"), edge("add", "collect", "input_item")])
        let runner = WorkflowRunner(jobID: "cancel", configuration: .init(registry: Self.registry()))
        let clock = ContinuousClock()
        async let run = Self.run(graph, runner: runner)
        try await Task.sleep(for: .milliseconds(200))
        let cancelledAt = clock.now
        runner.cancel()
        let result = await run
        let stopping = clock.now - cancelledAt
        #expect(result.result.failure is CancellationError)
        // Generous: the test process runs every suite at once on two threads (a missed cancel
        // would run a billion items, minutes); the real figure is in BENCHMARKS.md.
        #expect(stopping < .seconds(10), "stopped \(stopping) after the cancel (100 ms on an idle machine)")
        #expect(probe.snapshot.finalized == ["count"])
        #expect(result.messages.jobUpdates.last?.status == .cancelled)
    }

    @Test("an error mid-stream: the job fails naming the node; Collect sends what it got; Output keeps its values")
    func errorMidStream() async throws {
        let graph = Graph(
            nodes: [
                node("items", "nodetool.control.ForEach", ["input_list": [2, 0, 4]]),
                node("div", "nodetool.math.Divide", ["a": 8]),
                node("collect", "nodetool.control.Collect"),
                node("direct", "nodetool.output.Output", ["name": "direct"]),
                node("collected", "nodetool.output.Output", ["name": "collected"]),
            ],
            edges: [edge("items", "div", "b"), edge("div", "collect", "input_item"), edge("div", "direct", "value"), edge("collect", "collected", "value")])
        let run = await Self.run(graph)
        let failure = try #require(run.result.failure as? NodeFailure)
        #expect(failure.nodeID == "div")
        let outputs = run.messages.compactMap { if case .outputUpdate(let u) = $0 { return "\(u.outputName)=\(u.value.jsonString())" } else { return nil } }
        #expect(outputs == ["direct=4.0", "collected=[4.0]"])
        #expect(run.messages.jobUpdates.last?.status == .failed)
    }

    @Test("a Loop consumes a Collect's list; a stream flows inside a Loop's body")
    func loopsAndStreams() async throws {
        let graph = Graph(
            nodes: [
                node("rows", "nodetool.control.ForEach", ["input_list": [[1, 2], [3]]]),
                node("collect", "nodetool.control.Collect"),
                node("loop", "nodetool.group.Loop"),
                node("row", "nodetool.input.GroupInput", parent: "loop"),
                node("cells", "nodetool.control.ForEach", parent: "loop"),
                node("double", "nodetool.math.Multiply", ["b": 2], parent: "loop"),
                node("gather", "nodetool.control.Collect", parent: "loop"),
                node("rowOut", "nodetool.output.GroupOutput", parent: "loop"),
                node("out", "nodetool.output.Output", ["name": "doubled"]),
            ],
            edges: [
                edge("rows", "collect", "input_item"), edge("collect", "loop", "input"),
                edge("row", "cells", "input_list"), edge("cells", "double", "a"), edge("double", "gather", "input_item"),
                edge("gather", "rowOut", "input"), edge("loop", "out", "value"),
            ])
        let run = await Self.run(graph)
        let outputs = try run.result.get()
        #expect(outputs["doubled"] == [[[2, 4], [6]]])
    }

    @Test("zip_all and an unknown sync_mode, read from the node field")
    func syncModeField() async throws {
        var zipped = Graph(
            nodes: [
                node("a", "nodetool.control.ForEach", ["input_list": [1, 2, 3]]),
                node("b", "nodetool.control.ForEach", ["input_list": [10, 20]]),
                node("add", "nodetool.math.Add"),
                node("collect", "nodetool.control.Collect"),
                node("out", "nodetool.output.Output", ["name": "sums"]),
            ],
            edges: [edge("a", "add", "a"), edge("b", "add", "b"), edge("add", "collect", "input_item"), edge("collect", "out", "value")])
        zipped.nodes[2].otherFields["sync_mode"] = "zip_all"
        #expect(try await Self.run(zipped).result.get()["sums"] == [[11, 22]])
        zipped.nodes[2].otherFields["sync_mode"] = "zip"
        let invalid = try #require(await Self.run(zipped).result.failure as? GraphValidationError)
        #expect(invalid.problems.first?.nodeID == "add")
        #expect(invalid.problems.first?.property == "sync_mode")
        #expect(invalid.problems.first?.message.contains("'on_any' or 'zip_all'") == true)
    }

    @Test("messages: one running and one completed per streaming node, an output_update per value")
    func messages() async throws {
        let graph = Graph(
            nodes: [
                node("items", "nodetool.control.ForEach", ["input_list": [1, 1, 2]]),
                node("add", "nodetool.math.Add", ["b": 0]),
                node("out", "nodetool.output.Output", ["name": "values"]),
            ],
            edges: [edge("items", "add", "a"), edge("add", "out", "value")])
        let run = await Self.run(graph)
        #expect(try run.result.get()["values"] == [1, 2], "a repeated value is recorded once, as nodetool does")
        for id in ["items", "add", "out"] {
            #expect(run.messages.statuses(of: id) == [.running, .completed], "\(id)")
        }
        let updates = run.messages.compactMap { if case .outputUpdate(let u) = $0 { return u } else { return nil } }
        #expect(updates.map(\.value) == [1, 1, 2])
        #expect(updates.first?.jsonValue["output_type"] == "int")
    }

    @Test("a 0.5.3 file keeps GenerateSequence's list; a file in today's format streams it")
    func formats() async throws {
        let old = Graph(
            nodes: [node("seq", "nodetool.list.GenerateSequence", ["stop": 3]), node("out", "nodetool.output.ListOutput", ["name": "seq"])],
            edges: [edge("seq", "out", "value")])
        #expect(try await Self.run(old).result.get()["seq"] == [0, 1, 2])
        var today = Graph(
            nodes: [node("seq", "nodetool.list.GenerateSequence", ["stop": 3]), node("out", "nodetool.output.Output", ["name": "seq"])],
            edges: [edge("seq", "out", "value")])
        today.nodes[0].otherFields["sync_mode"] = "on_any"
        #expect(try await Self.run(today).result.get()["seq"] == [0, 1, 2])
        let messages = await Self.run(today).messages
        #expect(messages.compactMap { if case .outputUpdate(let u) = $0 { return u.value } else { return nil } } == [Value.int(0), .int(1), .int(2)])
    }
}

extension StreamRunnerTests {
    @Test("nodes downstream of a stream skip the cache; a node that fires once still uses it")
    func cacheSkipped() async throws {
        let probe = Probe()
        let t: Value = .string(probe.token)
        let graph = Graph(
            nodes: [
                node("one", "test.CountingAdd", ["a": 1, "b": 2, "token": t]),
                node("items", "nodetool.control.ForEach", ["input_list": [1, 2]]),
                node("each", "test.CountingAdd", ["b": 1, "token": t]),
                node("out", "nodetool.output.Output", ["name": "values"]),
                node("fixed", "nodetool.output.Output", ["name": "one"]),
            ],
            edges: [edge("items", "each", "a"), edge("each", "out", "value"), edge("one", "fixed", "value")])
        let cache = MemoryResultCache()
        var configuration = WorkflowRunner.Configuration(registry: Self.registry())
        configuration.cachesInlineNodes = true
        for _ in 0..<2 {
            let run = await runCollecting(graph, configuration: configuration, cache: cache)
            #expect(try run.result.get() == ["values": [2, 3], "one": [3]])
        }
        #expect(probe.calls("each") == 4, "two values, two runs: no cache")
        #expect(probe.calls("one") == 1, "the second run found it in the cache")
    }
}

extension StreamRunnerTests {
    @Test("the editor's Group frames nodes without making a scope, at the top level and inside a Loop")
    func groupFrames() async throws {
        let graph = Graph(
            nodes: [
                node("frame", "nodetool.workflows.base_node.Group"),
                node("a", "nodetool.constant.Integer", ["value": 2], parent: "frame"),
                node("items", "nodetool.constant.List", ["value": [1, 2]]),
                node("loop", "nodetool.group.Loop"),
                node("inner", "nodetool.workflows.base_node.Group", parent: "loop"),
                node("item", "nodetool.input.GroupInput", parent: "inner"),
                node("times", "nodetool.math.Multiply", parent: "inner"),
                node("collect", "nodetool.output.GroupOutput", parent: "loop"),
                node("out", "nodetool.output.ListOutput", ["name": "products"], parent: "frame"),
            ],
            edges: [edge("items", "loop", "input"), edge("item", "times", "a"), edge("a", "times", "b"), edge("times", "collect", "input"), edge("loop", "out", "value")])
        #expect(try await Self.run(graph).result.get()["products"] == [2, 4])
        let stray = Graph(nodes: [node("frame", "nodetool.workflows.base_node.Group"), node("gi", "nodetool.input.GroupInput", parent: "frame")])
        let problems = GraphValidator(registry: Self.registry()).problems(in: stray, params: [:])
        #expect(problems.map(\.kind) == [.invalidParent])
    }
}

extension StreamRunnerTests {
    @Test("in a scope with streams, a Loop waits for the nodes its body reads, wherever they are in the file")
    func loopWaitsForBodySources() async throws {
        let graph = Graph(
            nodes: [
                node("items", "nodetool.constant.List", ["value": [1, 2]]),
                node("loop", "nodetool.group.Loop"),
                node("item", "nodetool.input.GroupInput", parent: "loop"),
                node("times", "nodetool.math.Multiply", parent: "loop"),
                node("collect", "nodetool.output.GroupOutput", parent: "loop"),
                node("a", "nodetool.constant.Integer", ["value": 2]),
                node("out", "nodetool.output.Output", ["name": "products"]),
            ],
            edges: [edge("items", "loop", "input"), edge("item", "times", "a"), edge("a", "times", "b"), edge("times", "collect", "input"), edge("loop", "out", "value")])
        #expect(try await Self.run(graph).result.get()["products"] == [[2, 4]])
    }

    @Test("a file whose only sign of today's format is sync_mode streams GenerateSequence")
    func syncModeOnlyStreams() async throws {
        var graph = Graph(
            nodes: [node("seq", "nodetool.list.GenerateSequence", ["stop": 3]), node("add", "nodetool.math.Add", ["b": 10]), node("out", "nodetool.output.IntegerOutput", ["name": "last"])],
            edges: [edge("seq", "add", "a"), edge("add", "out", "value")])
        for i in graph.nodes.indices { graph.nodes[i].otherFields["sync_mode"] = "on_any" }
        let run = await Self.run(graph)
        #expect(try run.result.get()["last"] == 12, "the typed output keeps its last value")
        #expect(run.messages.statuses(of: "add") == [.running, .completed])
    }

    @Test("a value handed to a stream reader is checked against the property's type")
    func readerValuesChecked() async throws {
        let graph = Graph(
            nodes: [node("each", "nodetool.control.ForEach", ["input_list": ["yes"]]), node("if", "nodetool.control.If", ["value": 1]), node("out", "nodetool.output.Output", ["name": "o"])],
            edges: [edge("each", "if", "condition"), edge("if", "out", "value", slot: "if_true")])
        let failure = try #require(await Self.run(graph).result.failure as? NodeFailure)
        #expect(failure.nodeID == "if")
        #expect(failure.description.contains("condition"))
    }

    @Test("a list aggregation stops at the run's list limit")
    func aggregationLimit() async throws {
        let graph = Graph(
            nodes: [
                node("seq", "test.Count", ["count": 1_000_000_000]), node("one", "nodetool.constant.Integer", ["value": 1]),
                node("len", "nodetool.list.Length"),
            ],
            edges: [edge("seq", "len", "values"), edge("one", "len", "values")])
        let runner = WorkflowRunner(jobID: "limit", configuration: .init(registry: Self.registry()))
        let context = ProcessingContext(limits: ValueLimits(maxListCount: 1_000))
        async let drained: Void = { for await _ in context.messages {} }()
        var caught: (any Error)?
        do { _ = try await runner.run(RunJobRequest(graph: graph), context: context) } catch { caught = error }
        await drained
        let failure = try #require(caught as? NodeFailure)
        #expect(failure.nodeID == "len")
        #expect(failure.description.contains("more than 1000 items"))
    }

    @Test("an Output fed an endless stream stops at the run's list limit")
    func outputLimit() async throws {
        let graph = Graph(
            nodes: [node("seq", "test.Count", ["count": 1_000_000_000]), node("out", "nodetool.output.Output", ["name": "all"])],
            edges: [edge("seq", "out", "value")])
        let runner = WorkflowRunner(jobID: "limit", configuration: .init(registry: Self.registry()))
        let context = ProcessingContext(limits: ValueLimits(maxListCount: 1_000))
        async let drained: Void = { for await _ in context.messages {} }()
        var caught: (any Error)?
        do { _ = try await runner.run(RunJobRequest(graph: graph), context: context) } catch { caught = error }
        await drained
        let failure = try #require(caught as? NodeFailure)
        #expect(failure.nodeID == "out")
        #expect(failure.description.contains("the values recorded for output 'all'"))
    }

    @Test("a generator whose every target has failed stops, rather than running on for nobody")
    func generatorStopsWhenNobodyListens() async throws {
        let probe = Probe()
        let graph = Graph(
            nodes: [node("seq", "test.Count", ["count": 1_000_000_000, "token": .string(probe.token)]), node("div", "nodetool.math.Divide", ["a": 1])],
            edges: [edge("seq", "div", "b")])
        let failure = try #require(await Self.run(graph).result.failure as? NodeFailure)
        #expect(failure.nodeID == "div")
        #expect(probe.calls("seq") < 1_000)
    }
}
