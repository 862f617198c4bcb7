import Foundation
import Nodeflow
import NodeflowNodes
import Testing

@Suite("WorkflowRunner", .timeLimit(.minutes(1)))
struct RunnerTests {
    @Test("params set input nodes' values by name; outputs are collected by name")
    func paramsIntoInputs() async throws {
        let graph = Graph(
            nodes: [
                node("x", "nodetool.input.IntegerInput", ["name": "x", "value": 0]),
                node("y", "nodetool.input.FloatInput", ["name": "y", "value": 0.0]),
                node("add", "nodetool.math.Add"),
                node("out", "nodetool.output.FloatOutput", ["name": "sum"]),
            ],
            edges: [edge("x", "add", "a"), edge("y", "add", "b"), edge("add", "out", "value")])
        let run = await runCollecting(graph, params: ["x": 2, "y": 3.5])
        #expect(try run.result.get() == ["sum": .float(5.5)])
        #expect(run.runner.status == .completed)
        // An int param into a FloatInput stays an int, as in nodetool, and so does the sum.
        let ints = await runCollecting(graph, params: ["x": 2, "y": 3])
        #expect(try ints.result.get() == ["sum": .int(5)])
    }

    @Test("int arithmetic stays int; division follows Python")
    func intsStayInts() async throws {
        let graph = Graph(
            nodes: [node("a", "nodetool.math.Add", ["a": 1, "b": 2]), node("d", "nodetool.math.Divide", ["a": 7, "b": 2]),
                    node("o1", "nodetool.output.IntegerOutput", ["name": "sum"]), node("o2", "nodetool.output.FloatOutput", ["name": "quotient"])],
            edges: [edge("a", "o1", "value"), edge("d", "o2", "value")])
        #expect(try await runCollecting(graph).result.get() == ["sum": .int(3), "quotient": .float(3.5)])
    }

    @Test("the later of two edges into one property wins")
    func laterEdgeWins() async throws {
        let graph = Graph(
            nodes: [node("one", "nodetool.constant.Integer", ["value": 1]), node("two", "nodetool.constant.Integer", ["value": 2]), node("out", "nodetool.output.IntegerOutput", ["name": "v"])],
            edges: [edge("one", "out", "value"), edge("two", "out", "value")])
        #expect(try await runCollecting(graph).result.get() == ["v": 2])
    }

    @Test("messages: job running first, per node running then completed, one final job update")
    func messageOrder() async throws {
        let graph = Graph(
            nodes: [node("p", "test.Progress"), node("a", "nodetool.math.Add", ["a": 1]), node("out", "nodetool.output.IntegerOutput", ["name": "r"])],
            edges: [edge("p", "a", "b"), edge("a", "out", "value")])
        let run = await runCollecting(graph)
        let messages = run.messages
        guard case .jobUpdate(let first) = messages.first, case .jobUpdate(let last) = messages.last else {
            Issue.record("job updates must come first and last")
            return
        }
        #expect(first.status == .running)
        #expect(last.status == .completed)
        #expect(last.result == ["r": 4])
        #expect(messages.jobUpdates.count == 2)
        for id in ["p", "a", "out"] { #expect(messages.statuses(of: id) == [.running, .completed]) }
        // Progress comes between the node's running and completed.
        let types = messages.compactMap { m -> String? in
            switch m {
            case .nodeUpdate(let u) where u.nodeID == "p": return u.status.rawValue
            case .nodeProgress(let p) where p.nodeID == "p": return "progress \(p.progress)/\(p.total)"
            default: return nil
            }
        }
        #expect(types == ["running", "progress 1/3", "progress 2/3", "progress 3/3", "completed"])
        // A node starts only after its inputs completed.
        let order = messages.nodeUpdates.map { "\($0.nodeID) \($0.status.rawValue)" }
        #expect(order.firstIndex(of: "p completed")! < order.firstIndex(of: "a running")!)
        let completed = messages.nodeUpdates.first { $0.nodeID == "a" && $0.status == .completed }!
        #expect(completed.duration != nil && completed.startedAt != nil && completed.cached == false)
        #expect(completed.jsonValue["node_type"] == "nodetool.math.Add")
    }

    @Test("a failing node: error message, siblings cancelled, nothing new starts, every finalize runs, status error")
    func errorHandling() async throws {
        let probe = Probe()
        let t: Value = .string(probe.token)
        let graph = Graph(
            nodes: [
                node("bad", "test.FinalizeRecorder", ["ms": 10, "fail": true, "token": t]),
                node("slow", "test.FinalizeRecorder", ["ms": 30_000, "token": t]),
                node("after", "test.FinalizeRecorder", ["token": t]),
            ],
            edges: [edge("bad", "after", "ms")])
        let clock = ContinuousClock()
        let start = clock.now
        let run = await runCollecting(graph)
        // Long before `slow` would end (30 s), with room for a test pool busy with other suites.
        #expect(clock.now - start < .seconds(15))
        let failure = try #require(run.result.failure as? NodeFailure)
        #expect(failure.nodeID == "bad")
        #expect(failure.description.contains("asked to fail"))
        #expect(run.runner.status == .error)
        #expect(run.messages.statuses(of: "bad") == [.running, .error])
        #expect(run.messages.statuses(of: "slow") == [.running, .cancelled])
        #expect(run.messages.statuses(of: "after").isEmpty)
        #expect(probe.calls("after") == 0)
        #expect(Set(probe.snapshot.finalized) == ["bad", "slow", "after"])
        #expect(Set(probe.snapshot.initialized) == ["bad", "slow", "after"])
        let last = try #require(run.messages.jobUpdates.last)
        #expect(last.status == .failed && last.failedNodeID == "bad")
        #expect(last.error?.contains("node 'bad'") == true)
    }

    /// One cancelled run: nodes a and b sleep 10 s, c waits for a. Returns how long the run took
    /// to end after `cancel()`, after checking everything else about it.
    func cancelledRun() async throws -> Duration {
        let probe = Probe()
        let t: Value = .string(probe.token)
        let graph = Graph(
            nodes: [node("a", "test.FinalizeRecorder", ["ms": 10_000, "token": t]), node("b", "test.FinalizeRecorder", ["ms": 10_000, "token": t]),
                    node("c", "test.FinalizeRecorder", ["token": t])],
            edges: [edge("a", "c", "ms")])
        let runner = WorkflowRunner(jobID: "cancel", configuration: .init(registry: testRegistry()))
        let context = ProcessingContext()
        let clock = ContinuousClock()
        // The run's end is timed inside its task, so a slow reader of the messages does not count.
        let run = Task { () -> (Result<Void, any Error>, ContinuousClock.Instant) in
            do {
                try await runner.run(RunJobRequest(graph: graph), context: context)
                return (.success(()), clock.now)
            } catch {
                return (.failure(error), clock.now)
            }
        }
        var messages: [ProcessingMessage] = []
        var cancelledAt: ContinuousClock.Instant?
        for await message in context.messages {
            messages.append(message)
            if cancelledAt == nil, messages.nodeUpdates.filter({ $0.status == .running }).count == 2 {
                #expect(runner.runningNodeIDs == ["a", "b"])
                cancelledAt = clock.now
                runner.cancel()
            }
        }
        let (result, ended) = await run.value
        #expect(result.failure is CancellationError)
        #expect(runner.status == .cancelled && runner.isCancelled)
        #expect(messages.statuses(of: "a") == [.running, .cancelled])
        #expect(messages.statuses(of: "b") == [.running, .cancelled])
        #expect(messages.statuses(of: "c").isEmpty)
        #expect(messages.jobUpdates.map(\.status) == [.running, .cancelled])
        #expect(Set(probe.snapshot.finalized) == ["a", "b", "c"])
        return ended - (cancelledAt ?? ended)
    }

    @Test("cancel() stops sleeping nodes at once, not after their 10 s")
    func cancellation() async throws {
        // The whole suite runs in parallel on two cores, so one attempt can be kept waiting by
        // other tests; the fastest of three shows what cancellation itself costs (a few ms: the
        // 100 ms target is measured in BENCHMARKS.md, not here). A cancel that did not interrupt
        // the sleeping nodes would take 10 s every time.
        var times: [Duration] = []
        for _ in 0..<3 {
            let took = try await cancelledRun()
            #expect(took < .seconds(5))
            times.append(took)
            if took < .milliseconds(100) { break }
        }
        #expect(times.min()! < .seconds(1), "cancellation took \(times)")
    }

    @Test("cancelling the task that runs the workflow cancels the run")
    func taskCancellation() async throws {
        let graph = Graph(nodes: [node("a", "test.Sleep", ["ms": 10_000])])
        let runner = WorkflowRunner(jobID: "t", configuration: .init(registry: testRegistry()))
        let context = ProcessingContext()
        let task = Task { try await runner.run(RunJobRequest(graph: graph), context: context) }
        for await message in context.messages {
            if case .nodeUpdate(let u) = message, u.status == .running { task.cancel() }
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(runner.status == .cancelled)
    }

    @Test("a second run of an unchanged workflow calls no cacheable node; a changed property reruns only what depends on it")
    func cache() async throws {
        let probe = Probe()
        let t: Value = .string(probe.token)
        func graph(b: Int) -> Graph {
            Graph(
                nodes: [node("x", "test.CountingAdd", ["a": 1, "b": .int(b), "token": t]), node("y", "test.CountingAdd", ["a": 10, "token": t]),
                        node("z", "test.CountingAdd", ["token": t]), node("out", "nodetool.output.IntegerOutput", ["name": "z"])],
                edges: [edge("x", "z", "a"), edge("y", "z", "b"), edge("z", "out", "value")])
        }
        let cache = MemoryResultCache()
        let first = await runCollecting(graph(b: 1), cache: cache)
        #expect(try first.result.get() == ["z": 12])
        #expect([probe.calls("x"), probe.calls("y"), probe.calls("z")] as [Int] == [1, 1, 1])

        let second = await runCollecting(graph(b: 1), cache: cache)
        #expect(try second.result.get() == ["z": 12])
        #expect([probe.calls("x"), probe.calls("y"), probe.calls("z")] as [Int] == [1, 1, 1])
        #expect(second.messages.nodeUpdates.filter { $0.status == .completed && $0.nodeID != "out" }.allSatisfy { $0.cached == true })

        let changed = await runCollecting(graph(b: 5), cache: cache)
        #expect(try changed.result.get() == ["z": 16])
        #expect([probe.calls("x"), probe.calls("y"), probe.calls("z")] as [Int] == [2, 1, 2])
        #expect(cache.statistics.hits == 3 + 1)
    }

    @Test("cache keys are stable and tell int from float")
    func cacheKeys() {
        let a = CacheKey(nodeType: "t", inputs: ["x": 1, "y": "s"])
        #expect(a == CacheKey(nodeType: "t", inputs: ["y": "s", "x": 1]))
        #expect(a != CacheKey(nodeType: "t", inputs: ["x": 1.0, "y": "s"]))
        #expect(a != CacheKey(nodeType: "u", inputs: ["x": 1, "y": "s"]))
        // The digest is fixed by the canonical encoding, not by the process: this value was also
        // computed by an independent Python implementation of the encoding (tagged, length-prefixed,
        // little-endian, keys sorted) — any other process or build must give the same key.
        #expect(CacheKey(nodeType: "nodetool.math.Add", inputs: ["a": 1, "b": 2.5, "c": ["x": "é"]]).hex
            == "63466cebc416c8ccc43416ac3801bdf16b21c614e001eb10ef91e72b59cf0106")
    }

    @Test("the memory cache evicts the least recently used entry")
    func lru() {
        let cache = MemoryResultCache(maxEntries: 2)
        let k = (0..<3).map { CacheKey(nodeType: "t", inputs: ["i": .int($0)]) }
        cache.store(NodeOutputs(.int(0)), for: k[0])
        cache.store(NodeOutputs(.int(1)), for: k[1])
        _ = cache.outputs(for: k[0])
        cache.store(NodeOutputs(.int(2)), for: k[2])
        #expect(cache.outputs(for: k[0]) == NodeOutputs(.int(0)))
        #expect(cache.outputs(for: k[1]) == nil)
        #expect(cache.statistics.evictions == 1)
    }

    @Test("loops over a list and a dict keep item order")
    func loops() async throws {
        func loopGraph(_ items: Value) -> Graph {
            Graph(
                nodes: [
                    node("items", "nodetool.constant.List", ["value": items]),
                    node("loop", "nodetool.group.Loop"),
                    node("in", "nodetool.input.GroupInput", parent: "loop"),
                    node("slow", "test.Sleep", parent: "loop"),
                    node("out", "nodetool.output.GroupOutput", parent: "loop"),
                    node("result", "nodetool.output.ListOutput", ["name": "r"]),
                ],
                edges: [edge("items", "loop", "input"), edge("in", "slow", "value"), edge("in", "slow", "ms"), edge("slow", "out", "input"), edge("loop", "result", "value")])
        }
        // Earlier items sleep longer, so concurrent iterations finish out of order.
        let list = await runCollecting(loopGraph([30, 20, 10, 0]))
        #expect(try list.result.get() == ["r": [30, 20, 10, 0]])

        var dictGraph = loopGraph([])
        dictGraph.nodes[0] = node("items", "nodetool.constant.Dict", ["value": ["a": 1, "b": 2]])
        dictGraph.nodes[3] = node("slow", "nodetool.dictionary.GetValue", ["key": "key"], parent: "loop")
        dictGraph.edges = [edge("items", "loop", "input"), edge("in", "slow", "dictionary"), edge("slow", "out", "input"), edge("loop", "result", "value")]
        #expect(try await runCollecting(dictGraph).result.get() == ["r": ["a", "b"]])
    }

    @Test("nested loops, and an edge from outside into a loop body")
    func nestedLoops() async throws {
        let graph = Graph(
            nodes: [
                node("rows", "nodetool.constant.List", ["value": [[1, 2], [3]]]),
                node("offset", "nodetool.constant.Integer", ["value": 100]),
                node("outer", "nodetool.group.Loop"),
                node("row", "nodetool.input.GroupInput", parent: "outer"),
                node("inner", "nodetool.group.Loop", parent: "outer"),
                node("cell", "nodetool.input.GroupInput", parent: "inner"),
                node("add", "nodetool.math.Add", parent: "inner"),
                node("cellOut", "nodetool.output.GroupOutput", parent: "inner"),
                node("rowOut", "nodetool.output.GroupOutput", parent: "outer"),
                node("result", "nodetool.output.ListOutput", ["name": "r"]),
            ],
            edges: [
                edge("rows", "outer", "input"), edge("row", "inner", "input"), edge("cell", "add", "a"), edge("offset", "add", "b"),
                edge("add", "cellOut", "input"), edge("inner", "rowOut", "input"), edge("outer", "result", "value"),
            ])
        let run = await runCollecting(graph)
        #expect(try run.result.get() == ["r": [[101, 102], [103]]])
        let addUpdates = run.messages.nodeUpdates.filter { $0.nodeID == "add" && $0.status == .completed }
        #expect(Set(addUpdates.map(\.iterationPath)) == [[0, 0], [0, 1], [1, 0]])
    }

    @Test("an error inside a loop names the iteration")
    func loopError() async throws {
        let graph = Graph(
            nodes: [
                node("items", "nodetool.constant.List", ["value": [1, 0, 2]]),
                node("loop", "nodetool.group.Loop"),
                node("in", "nodetool.input.GroupInput", parent: "loop"),
                node("div", "nodetool.math.Divide", ["a": 1], parent: "loop"),
                node("out", "nodetool.output.GroupOutput", parent: "loop"),
            ],
            edges: [edge("items", "loop", "input"), edge("in", "div", "b"), edge("div", "out", "input")])
        let run = await runCollecting(graph)
        let failure = try #require(run.result.failure as? NodeFailure)
        #expect(failure.nodeID == "div")
        #expect(failure.iterationPath == [1])
        #expect(failure.description.contains("in loop 'loop' iteration 1"))
        #expect(failure.description.contains("division by zero"))
        #expect(run.messages.statuses(of: "loop").last == .error)
    }

    @Test("two GPU nodes with one slot never overlap, and the second waits")
    func gpuSlots() async throws {
        let probe = Probe()
        let t: Value = .string(probe.token)
        let graph = Graph(nodes: [node("g1", "test.GPU", ["token": t]), node("g2", "test.GPU", ["token": t])])
        let run = await runCollecting(graph, configuration: .init(registry: testRegistry(), gpuSlots: 1))
        _ = try run.result.get()
        let intervals = probe.snapshot.intervals.sorted { $0.start < $1.start }
        #expect(intervals.count == 2)
        #expect(intervals[0].end <= intervals[1].start)
        let statuses = run.messages.statuses(of: "g1") + run.messages.statuses(of: "g2")
        #expect(statuses.contains(.waiting))
    }

    @Test("independent nodes run concurrently, up to the cap")
    func concurrency() async throws {
        let probe = Probe()
        let t: Value = .string(probe.token)
        // Sleeps long enough that every task has started before the first ends, even on a busy machine.
        let graph = Graph(nodes: (0..<6).map { node("s\($0)", "test.Sleep", ["ms": 300, "token": t]) })
        _ = try await runCollecting(graph).result.get()
        #expect(probe.snapshot.highWater == 6)

        let capped = Probe()
        let c: Value = .string(capped.token)
        let cappedGraph = Graph(nodes: (0..<6).map { node("s\($0)", "test.Sleep", ["ms": 100, "token": c]) })
        _ = try await runCollecting(cappedGraph, configuration: .init(registry: testRegistry(), maxConcurrency: 2)).result.get()
        #expect(capped.snapshot.highWater == 2)
    }

    @Test("retry with backoff, and a timeout")
    func retryAndTimeout() async throws {
        let probe = Probe()
        let t: Value = .string(probe.token)
        let flaky = await runCollecting(Graph(nodes: [node("f", "test.Flaky", ["failures": 2, "token": t]), node("o", "nodetool.output.IntegerOutput", ["name": "attempt"])], edges: [edge("f", "o", "value")]))
        #expect(try flaky.result.get() == ["attempt": 3])

        let hopeless = Probe()
        let failed = await runCollecting(Graph(nodes: [node("f", "test.Flaky", ["failures": 5, "token": .string(hopeless.token)])]))
        #expect(failed.result.failure is NodeFailure)
        #expect(hopeless.calls("f") == 3)

        let clock = ContinuousClock()
        let start = clock.now
        let slow = await runCollecting(Graph(nodes: [node("s", "test.Slow")]))
        let failure = try #require(slow.result.failure as? NodeFailure)
        #expect(failure.underlying is NodeTimeoutError)
        #expect(clock.now - start < .seconds(2))
    }

    @Test("an invalid graph fails before anything runs")
    func invalidGraph() async throws {
        let run = await runCollecting(Graph(nodes: [node("a", "nodetool.math.Nope")]))
        #expect(run.result.failure is GraphValidationError)
        #expect(run.messages.nodeUpdates.isEmpty)
        #expect(run.messages.jobUpdates.map(\.status) == [.running, .failed])
        #expect(run.runner.status == .error)
    }

    @Test("a 10,000-node chain runs, in linear time")
    func longChain() async throws {
        let n = 10_000
        var nodes = [node("in", "nodetool.input.FloatInput", ["name": "x", "value": 1.0])]
        var edges: [EdgeSpec] = []
        for i in 0..<n {
            nodes.append(node("a\(i)", "nodetool.math.Add", ["b": 1.0]))
            edges.append(edge(i == 0 ? "in" : "a\(i - 1)", "a\(i)", "a"))
        }
        nodes.append(node("out", "nodetool.output.FloatOutput", ["name": "r"]))
        edges.append(edge("a\(n - 1)", "out", "value"))
        let run = await runCollecting(Graph(nodes: nodes, edges: edges))
        #expect(try run.result.get() == ["r": .float(Double(n + 1))])
        #expect(run.messages.count == 2 * (n + 2) + 2)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
