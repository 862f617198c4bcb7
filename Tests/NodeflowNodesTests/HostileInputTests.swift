import Foundation
import Nodeflow
import NodeflowNodes
import NodeflowTesting
import Synchronization
import Testing

/// The reproductions of the hostile-input issue: each once crashed, hung or ignored a cancel.
@Suite("Hostile input", .timeLimit(.minutes(1)))
struct HostileInputTests {
    @Test("Wait with an absurd duration: a validation problem from the file, a node error from an edge")
    func absurdWait() async throws {
        for seconds: Value in [1e300, .float(.infinity), .float(.nan), -1] {
            let problems = GraphValidator(registry: .standard).problems(in: Graph(nodes: [
                NodeSpec(id: "w", type: "nodeflow.control.Wait", data: ["seconds": seconds])
            ]))
            #expect(problems.map(\.kind) == [.invalidPropertyValue], "\(seconds)")
            #expect(problems.first?.message.contains("'seconds' must lie between 0 and 31536000") == true)
        }
        let graph = Graph(
            nodes: [NodeSpec(id: "f", type: "nodetool.constant.Float", data: ["value": 1e300]), NodeSpec(id: "w", type: "nodeflow.control.Wait")],
            edges: [EdgeSpec(source: "f", sourceHandle: "output", target: "w", targetHandle: "seconds")])
        let error = await #expect(throws: NodeFailure.self) { try await run(graph) }
        #expect(error?.nodeID == "w")
        #expect(error?.reason.contains("a number from 0.0 to 31536000.0") == true)
    }

    @Test("integer edge cases of math and slices are values or node errors, never traps")
    func integerEdges() async throws {
        #expect(try await runNode("nodetool.math.Modulus", ["a": .int(.min), "b": -1]) == 0)
        #expect(try await runNode("nodetool.math.Modulus", ["a": .list([.int(.min)]), "b": .list([-1])]) == 0)
        #expect(await failure("nodetool.math.Add", ["a": .int(.max), "b": 1]).contains("overflow"))
        #expect(try await runNode("nodetool.list.Slice", ["values": [1, 2, 3], "start": 1, "stop": nil, "step": .int(.max)]) == [2])
        #expect(try await runNode("nodetool.text.Template", ["string": "{:d}|{:5}", "values": .list([.int(.min), .int(.min)])])
            == "-9223372036854775808|-9223372036854775808")
    }

    @Test("runaway output is refused with a clear error, at once")
    func runawayOutput() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        #expect(await failure("nodetool.list.GenerateSequence", ["start": 0, "stop": 1_000_000_000_000]).contains("over the limit of 10000000 items"))
        #expect(await failure("nodetool.list.GenerateSequence", ["start": .int(.min), "stop": .int(.max), "step": 1]).contains("over the limit"))
        #expect(await failure("nodetool.text.Template", ["string": "{:9999999999}", "values": "x"]).contains("too many decimal digits"))
        #expect(await failure("nodetool.text.Template", ["string": "{:999999999}", "values": "x"]).contains("over the limit"))
        #expect(await failure("nodetool.text.Template", ["string": "{:.999999999f}", "values": .list([1.5])]).contains("precision too big"))
        #expect(await failure("nodetool.text.Replace", ["text": .string(String(repeating: "a", count: 20_000)), "old": "", "new": .string(String(repeating: "b", count: 20_000))])
            .contains("over the limit"))
        #expect(clock.now - start < .seconds(15), "nothing is built before the limit is checked")
        // Sequences below the limit still come out whole, in both directions.
        #expect(try await runNode("nodetool.list.GenerateSequence", ["start": 5, "stop": -2, "step": -3]) == [5, 2, -1])
        #expect(try await runNode("nodetool.list.GenerateSequence", ["start": .int(.max - 2), "stop": .int(.max), "step": 1]) == [.int(.max - 2), .int(.max - 1)])
    }

    @Test("a catastrophic regular expression stops within a second of a cancel")
    func catastrophicRegex() async throws {
        let graph = Graph(nodes: [NodeSpec(id: "r", type: "nodetool.text.FindAllRegex", data: [
            "regex": "(a+)+$", "text": .string(String(repeating: "a", count: 46) + "!"),
        ])])
        let elapsed = try await timeToStop(graph, cancelAfter: .milliseconds(300))
        // Unstopped, the match runs for minutes; the bound leaves room for a test pool shared
        // with the other suites (alone it ends in a few milliseconds).
        #expect(elapsed < .seconds(10))
    }

    @Test("a long run of inline nodes obeys a cancel within a second and delivers messages as it goes")
    func longInlineChain() async throws {
        let graph = WorkflowShapes.chain(100_000)
        let elapsed = try await timeToStop(graph, cancelAfter: .milliseconds(100), messagesBeforeCancel: 1_000)
        // The loop stops at the next node; the rest is finalizing 100,000 nodes in a debug build
        // on a pool shared with the other tests.
        #expect(elapsed < .seconds(3))
    }

    @Test("a misspelled property is a problem naming the property meant; a stale key is a warning")
    func misspelledProperty() throws {
        let typo = GraphValidator(registry: .standard).problems(in: Graph(nodes: [
            NodeSpec(id: "t", type: "nodetool.text.Template", data: ["strng": "Hello {name}", "values": .dict(["name": "Ada"])])
        ]))
        #expect(typo.map(\.kind) == [.unknownProperty])
        #expect(typo.first?.message == "node 't' (nodetool.text.Template) has no property 'strng'; did you mean 'string'? (as written, 'string' keeps its default)")
        let plan = try GraphValidator(registry: .standard).compile(Graph(nodes: [
            NodeSpec(id: "t", type: "nodetool.text.Template", data: ["string": "x", "strng": "y", "model_version": 3])
        ]))
        #expect(plan.warnings.count == 2)
        #expect(plan.warnings.allSatisfy { $0.contains("it is ignored") })
        #expect(plan.warnings.contains { $0.contains("(did you mean 'string'?)") })
    }

    @Test("JSON text never holds NaN or Infinity")
    func nonFiniteJSON() throws {
        let value: Value = ["a": .float(.infinity), "b": .list([.float(.nan), .float(-.infinity), 1.5])]
        #expect(value.jsonString() == #"{"a":null,"b":[null,null,1.5]}"#)
        // A run's final job_update, as written to stdout, the API and the store, is valid JSON.
        let update = ProcessingMessage.jobUpdate(JobUpdate(jobID: "j", status: .completed, result: ["x": .float(.infinity)]))
        let text = update.jsonString()
        #expect(!text.contains("Infinity"))
        #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) is [String: Any])
    }

    // MARK: Helpers

    private func run(_ graph: Graph) async throws {
        let runner = WorkflowRunner(jobID: "h", configuration: .init(registry: .standard))
        let context = ProcessingContext()
        async let drained: Void = { for await _ in context.messages {} }()
        do {
            try await runner.run(RunJobRequest(graph: graph), context: context)
        } catch {
            await drained
            throw error
        }
        await drained
    }

    /// Starts the graph, cancels it after `cancelAfter`, and returns how long the run took to end
    /// after the cancel. Messages must have arrived before the cancel (delivery goes on during a run).
    private func timeToStop(_ graph: Graph, cancelAfter: Duration, messagesBeforeCancel: Int = 0) async throws -> Duration {
        let runner = WorkflowRunner(jobID: "h", configuration: .init(registry: .standard))
        let context = ProcessingContext()
        let clock = ContinuousClock()
        let received = Counter()
        return try await withThrowingTaskGroup(of: Duration?.self) { group in
            group.addTask {
                for await _ in context.messages { received.add() }
                return nil
            }
            group.addTask {
                do { try await runner.run(RunJobRequest(graph: graph), context: context) } catch is CancellationError {}
                return nil
            }
            try await Task.sleep(for: cancelAfter)
            // Messages reach their reader while the run goes on, not only at its end: wait for
            // some (compiling a large graph in a debug build on a busy pool takes a while).
            let deadline = clock.now + .seconds(30)
            while received.value < messagesBeforeCancel && clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(received.value >= messagesBeforeCancel, "\(received.value) messages before the cancel")
            #expect(runner.status == .running, "the run is still going when it is cancelled")
            let cancelled = clock.now
            runner.cancel()
            try await group.waitForAll()
            #expect(runner.status == .cancelled)
            return clock.now - cancelled
        }
    }
}

/// A count shared between a task and the test.
private final class Counter: Sendable {
    private let count = Mutex(0)

    func add() { count.withLock { $0 += 1 } }

    var value: Int { count.withLock { $0 } }
}
