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

@Suite("Messages read back from JSON")
struct MessageDecodingTests {
    static let messages: [ProcessingMessage] = [
        .jobUpdate(JobUpdate(jobID: "j", status: .running)),
        .jobUpdate(JobUpdate(jobID: "j", status: .completed, result: ["sum": 3, "list": [1, 2.5, "x", nil]])),
        .jobUpdate(JobUpdate(jobID: "j", status: .failed, error: "boom", failedNodeID: "n")),
        .nodeUpdate(NodeUpdate(nodeID: "n", nodeName: "Add", nodeType: "nodetool.math.Add", status: .running, properties: ["a": 1, "b": 2.0])),
        .nodeUpdate(
            NodeUpdate(
                nodeID: "n", nodeName: "Add", nodeType: "nodetool.math.Add", status: .completed, result: NodeOutputs(.int(3)), startedAt: 1_800_000_000.25,
                duration: 0.5, cached: false, iterationPath: [2, 0])),
        .nodeUpdate(NodeUpdate(nodeID: "n", nodeName: "Add", nodeType: "nodetool.math.Add", status: .error, error: "division by zero")),
        .nodeProgress(NodeProgress(nodeID: "n", progress: 3, total: 10)),
        .logUpdate(LogUpdate(nodeID: "n", nodeName: "Log", content: "hello", severity: .warning)),
        .outputUpdate(OutputUpdate(nodeID: "o", outputName: "out", value: ["type": "image", "uri": "file:///x.png"])),
        .error(ErrorMessage(error: "no graph")),
    ]

    @Test("every message posted reads back from its JSON as the same message", arguments: messages)
    func roundTrip(_ message: ProcessingMessage) throws {
        let read = try ProcessingMessage(jsonValue: message.jsonValue)
        #expect(read == message)
        #expect(read.jsonValue == message.jsonValue)
        // Through text, as a follower gets it.
        #expect(try ProcessingMessage(jsonValue: try Value(json: message.jsonString())) == message)
    }

    @Test("JSON that is not a message is an error naming the message type and the field")
    func malformed() {
        let cases: [(Value, String)] = [
            (["status": "running"], "'message' message's field 'type' is missing"),
            (["type": "job_updat"], "field 'type' is 'job_updat'"),
            (["type": "job_update", "job_id": "j", "status": "done"], "'job_update' message's field 'status' is 'done'"),
            (["type": "node_update", "status": "running", "node_id": 3], "'node_update' message's field 'node_id' is 3, not a string"),
            (["type": "node_progress", "node_id": "n", "progress": 1.5, "total": 2], "field 'progress' is 1.5, not an integer"),
            (["type": "node_update", "node_id": "n", "node_name": "n", "node_type": "t", "status": "running", "iteration": ["a"]], "field 'iteration' holds \"a\""),
            ("just text", "field 'type' is missing"),
        ]
        for (json, expected) in cases {
            #expect(performing: { try ProcessingMessage(jsonValue: json) }, throws: { "\($0)".contains(expected) })
        }
    }
}
