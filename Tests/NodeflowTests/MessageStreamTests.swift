import Nodeflow
import Testing

@Suite("Message stream", .timeLimit(.minutes(1)))
struct MessageStreamTests {
    @Test("messages arrive in order, whether posted before or while reading, and the stream ends")
    func order() async {
        let context = ProcessingContext()
        for i in 0..<3 { context.post(.nodeProgress(NodeProgress(nodeID: "n", progress: i, total: 10))) }
        let reader = Task {
            var seen: [Int] = []
            for await message in context.messages {
                if case .nodeProgress(let p) = message { seen.append(p.progress) }
            }
            return seen
        }
        for i in 3..<1000 { context.post(.nodeProgress(NodeProgress(nodeID: "n", progress: i, total: 10))) }
        // A run finishes the stream; simulate that with a run of an empty graph on the same context.
        _ = try? await WorkflowRunner(jobID: "j").run(RunJobRequest(graph: Graph()), context: context)
        #expect(await reader.value == Array(0..<1000))
    }

    @Test("a cancelled reader stops waiting")
    func cancelledReader() async {
        let context = ProcessingContext()
        let reader = Task {
            var count = 0
            for await _ in context.messages { count += 1 }
            return count
        }
        try? await Task.sleep(for: .milliseconds(20))
        reader.cancel()
        #expect(await reader.value == 0)
    }
}

@Suite("Device sessions", .timeLimit(.minutes(1)))
struct DeviceSessionTests {
    final class Recorder: DeviceSession, @unchecked Sendable {
        // Written by the runner's tasks; read after the run. Guarded by the probe's lock.
        let probe = Probe()

        func withRun<T: Sendable>(context: ProcessingContext, _ body: () async throws -> T) async throws -> T {
            probe.update { $0.sessions.append("run start") }
            defer { probe.update { $0.sessions.append("run end") } }
            return try await body()
        }

        func withDevice(slot: Int, node: NodeContext, _ body: () async throws -> NodeOutputs) async throws -> NodeOutputs {
            probe.update { $0.sessions.append("device \(slot) \(node.nodeID)") }
            return try await body()
        }
    }

    @Test("the session wraps the run once and each GPU node on its slot")
    func hooks() async throws {
        let recorder = Recorder()
        let graph = Graph(nodes: [node("g", "test.GPU", ["ms": 1]), node("a", "nodetool.math.Add")])
        let run = await runCollecting(graph, configuration: .init(registry: testRegistry(), gpuSlots: 1, deviceSession: recorder))
        _ = try run.result.get()
        #expect(recorder.probe.snapshot.sessions == ["run start", "device 0 g", "run end"])
    }
}
