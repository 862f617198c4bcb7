import Foundation
import GRDB
@testable import NodeflowJobs
import Nodeflow
import NodeflowNodes
import OrderedCollections
import Testing

@Suite("Recording and retention", .timeLimit(.minutes(1)))
struct RecordingTests {
    @Test("an event block gives back exactly the messages it was made of, NaN and bytes included")
    func blockRoundTrip() throws {
        var completed = NodeUpdate(
            nodeID: "n1", nodeName: "Add", nodeType: "nodetool.math.Add", status: .completed,
            result: NodeOutputs(slots: ["output": .float(.nan), "raw": .bytes([0, 255, 7]), "x": ["a": [1, 2.5, nil, true]]]),
            startedAt: 1_764_000_000.123456, duration: 1.5e-6, cached: false, iterationPath: [3, 1])
        completed.properties = ["a": .int(.min), "b": .float(-.infinity)]
        let messages: [ProcessingMessage] = [
            .jobUpdate(JobUpdate(jobID: "j", status: .running)),
            .nodeUpdate(NodeUpdate(nodeID: "n1", nodeName: "Add", nodeType: "nodetool.math.Add", status: .running)),
            .nodeProgress(NodeProgress(nodeID: "n1", progress: -1, total: .max)),
            .nodeUpdate(completed),
            .logUpdate(LogUpdate(nodeID: "n1", nodeName: "Add", content: "héllo\n💥", severity: .warning)),
            .nodeUpdate(NodeUpdate(nodeID: "n2", nodeName: "B", nodeType: "t", status: .error, error: "boom", cached: true)),
            .error(ErrorMessage(error: "bad")),
            .outputUpdate(OutputUpdate(nodeID: "o", outputName: "values", value: ["x": [1, 2.5, .null]])),
            .outputUpdate(OutputUpdate(nodeID: "o", outputName: "values", value: .null)),
            .jobUpdate(JobUpdate(jobID: "j", status: .failed, result: ["o": 1], error: "e", failedNodeID: "n2", message: "m")),
        ]
        let decoded = try EventBlock.decode(EventBlock.encode(messages))
        #expect(decoded.count == messages.count)
        // Exactly equal; Value's == counts NaN equal to NaN, and tells bytes, -Infinity and ints apart.
        #expect(decoded == messages)
        guard case .nodeUpdate(let back) = decoded[3] else {
            Issue.record("not a node update")
            return
        }
        #expect(back.result?["output"]?.doubleValue?.isNaN == true)
        #expect(back.result?["raw"] == .bytes([0, 255, 7]))
        #expect(back.startedAt == completed.startedAt && back.duration == completed.duration && back.iterationPath == [3, 1])
        // Damaged blocks are errors, not crashes.
        let good = EventBlock.encode(messages)
        for cut in [0, 1, good.count / 2, good.count - 1] {
            #expect(throws: (any Error).self) { try EventBlock.decode(Array(good.prefix(cut))) }
        }
        #expect(throws: (any Error).self) { try EventBlock.decode([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) }
    }

    @Test("a recorded run's events and results are the messages an unrecorded run posts")
    func recordedEqualsUnrecorded() async throws {
        let (store, _) = try temporaryStore()
        let graph = try Workflow(json: loopWorkflow(items: 6, waitSeconds: 0)).graph
        let job = JobRecord(id: "r", graph: graph, params: [:])
        let recorded = try await RecordedRun(store: store, configuration: .init(registry: .standard)).run(job, ownership: .create) { messages in
            for await _ in messages {}
        }
        #expect(try recorded.get() == ["out": [1, 3, 5, 7, 9, 11]])

        let runner = WorkflowRunner(jobID: "r", configuration: .init(registry: .standard))
        let context = ProcessingContext()
        async let plain: [ProcessingMessage] = { var all: [ProcessingMessage] = []; for await m in context.messages { all.append(m) }; return all }()
        _ = try await runner.run(RunJobRequest(graph: graph), context: context)
        let unrecorded = await plain

        let events = try await store.events("r", after: 0)
        #expect(events.map(\.sequence) == Array(1...events.count))
        func shape(_ v: Value) -> String {
            // Timing differs between two runs; the rest must not.
            var d = v.dictValue ?? [:]
            d["started_at"] = nil
            d["duration"] = nil
            return Value.dict(d).jsonString()
        }
        #expect(Set(events.map { shape($0.message) }) == Set(unrecorded.map { shape($0.jsonValue) }))
        #expect(events.count == unrecorded.count)
        let results = try await store.nodeResults("r")
        #expect(results["loop"]?.outputs == NodeOutputs([1, 3, 5, 7, 9, 11]))
        let iterations = try await store.iterationResults("r")
        #expect(iterations["collect"]?.count == 6)
        #expect(iterations["collect"]?[2]?["output"] == 5)
    }

    @Test("a trivial node costs the store at most 150 bytes")
    func storeGrowth() async throws {
        let (store, directory) = try temporaryStore()
        var nodes: [Value] = [["id": "n0", "type": "nodetool.constant.Integer", "data": ["value": 0]]]
        var edges: [Value] = []
        for i in 1...20_000 {
            nodes.append(["id": .string("n\(i)"), "type": "nodetool.math.Add", "data": ["b": 1]])
            edges.append(["source": .string("n\(i - 1)"), "sourceHandle": "output", "target": .string("n\(i)"), "targetHandle": "a"])
        }
        let text = Value.dict(["graph": ["nodes": .list(nodes), "edges": .list(edges)]]).jsonBytes()
        var job = JobRecord(id: "g", graph: try Workflow(jsonValue: try Value(jsonBytes: text)).graph)
        job.graphJSON = text
        let before = store.sizeOnDisk()
        _ = try await RecordedRun(store: store, configuration: .init(registry: .standard)).run(job, ownership: .create) { messages in
            for await _ in messages {}
        }
        try await store.prune(RetentionPolicy(maxAge: nil, maxJobs: nil, maxBytes: nil))  // checkpoints the log
        let grown = store.sizeOnDisk() - before
        #expect(grown / 20_001 <= 150, "\(grown) bytes for 20,001 nodes")
        #expect(try await store.events("g", after: 0).count == 2 + 2 * 20_001)
        #expect(try await store.nodeResults("g").count == 20_001)
        _ = directory
    }

    @Test("prune deletes old finished jobs, keeps queued and running ones, and gives the space back")
    func prune() async throws {
        let (store, _) = try temporaryStore()
        // Random text, which deflate cannot shrink: the space given back is the events' own.
        var generator = SystemRandomNumberGenerator()
        let big = Value.string(String((0..<40_000).map { _ in Character(Unicode.Scalar(UInt8.random(in: 65...122, using: &generator))) }))
        for i in 0..<30 {
            var job = JobRecord(id: "done\(i)", graph: smallGraph, createdAt: Date(timeIntervalSince1970: 1_000_000 + Double(i)))
            job.graphJSON = nil
            try await store.create(job)
            let lease = try await store.markRunning(job.id, processID: 1, host: "h")
            try await store.record(lease, messages: (0..<20).map { k in .logUpdate(LogUpdate(nodeID: "a", nodeName: "a", content: "\(k) \(big)")) }, results: [])
            try await store.finish(lease, status: i % 3 == 0 ? .failed : .completed, outputs: [:], error: nil, errorNodeID: nil)
        }
        try await store.create(JobRecord(id: "queued", graph: smallGraph, createdAt: Date(timeIntervalSince1970: 1)))
        try await store.create(JobRecord(id: "running", graph: smallGraph, createdAt: Date(timeIntervalSince1970: 2)))
        _ = try await store.markRunning("running", processID: 1, host: "h")

        let policy = RetentionPolicy(maxAge: nil, maxJobs: 5, maxBytes: nil)
        #expect(try await store.exceeds(policy))
        let report = try await store.prune(policy)
        #expect(report.deletedJobs.count == 25)
        #expect(report.bytesAfter < report.bytesBefore / 2, "\(report.bytesBefore) -> \(report.bytesAfter)")
        let left = try await store.jobs(JobQuery(limit: 100)).map(\.id)
        #expect(Set(left) == Set(["queued", "running"] + (25..<30).map { "done\($0)" }))
        #expect(try await store.events("done0", after: 0).isEmpty)
        #expect(try await store.exceeds(policy) == false)

        // By age and by size too; queued and running jobs survive every limit.
        try await store.prune(RetentionPolicy(maxAge: 1, maxJobs: nil, maxBytes: nil), now: Date(timeIntervalSince1970: 1_000_029.5))
        #expect(Set(try await store.jobs(JobQuery(limit: 100)).map(\.id)) == ["queued", "running", "done29"])
        try await store.prune(RetentionPolicy(maxAge: nil, maxJobs: nil, maxBytes: 1))
        #expect(Set(try await store.jobs(JobQuery(limit: 100)).map(\.id)) == ["queued", "running"])
    }

    @Test("a store of the previous schema is migrated and its jobs stay readable")
    func migrationFromV1() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nodeflow-v1-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("jobs.sqlite").path
        // The schema and rows as the first release wrote them.
        let old = try DatabaseQueue(path: path)
        try await old.write { db in
            try db.execute(sql: """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('v1: jobs, events, node results');
                CREATE TABLE job (id TEXT PRIMARY KEY, workflow_id TEXT, workflow_name TEXT, graph TEXT NOT NULL, params TEXT NOT NULL,
                  user_id TEXT NOT NULL, status TEXT NOT NULL, created_at DOUBLE NOT NULL, started_at DOUBLE, finished_at DOUBLE, error TEXT,
                  error_node_id TEXT, outputs TEXT, process_id INTEGER, host TEXT, cancel_requested BOOLEAN NOT NULL DEFAULT 0);
                CREATE TABLE job_event (job_id TEXT NOT NULL REFERENCES job(id) ON DELETE CASCADE, seq INTEGER NOT NULL, message TEXT NOT NULL, PRIMARY KEY (job_id, seq));
                CREATE TABLE node_result (job_id TEXT NOT NULL REFERENCES job(id) ON DELETE CASCADE, node_id TEXT NOT NULL, outputs TEXT NOT NULL,
                  started_at DOUBLE, duration DOUBLE, PRIMARY KEY (job_id, node_id));
                """)
            try db.execute(
                sql: "INSERT INTO job (id, workflow_name, graph, params, user_id, status, created_at) VALUES ('old', 'demo', ?, '{\"x\": 1}', '1', 'failed', 1.0)",
                arguments: [smallGraph.jsonValue.jsonString()])
            try db.execute(sql: #"INSERT INTO job_event VALUES ('old', 1, '{"type":"job_update","status":"running","job_id":"old"}')"#)
            try db.execute(sql: #"INSERT INTO node_result VALUES ('old', 'a', '{"output": 3}', 1.0, 0.5)"#)
        }
        try old.close()

        let store = try SQLiteJobStore(path: path)
        let job = try #require(try await store.job("old"))
        #expect(job.graph.jsonValue == smallGraph.jsonValue && job.params == ["x": 1] && job.status == .failed)
        #expect(try await store.nodeResults("old")["a"]?.outputs == NodeOutputs(3))
        // A resumed old job appends after its old events.
        try await store.record(try await store.markRunning("old", processID: 1, host: "h"), messages: [.jobUpdate(JobUpdate(jobID: "old", status: .completed))], results: [])
        #expect(try await store.events("old", after: 0).map(\.sequence) == [1, 2])
        #expect(try await store.events("old", after: 0).last?.message["status"] == "completed")
    }
}

/// A Loop over 0..<items whose body doubles and adds one (after an optional wait).
func loopWorkflow(items: Int, waitSeconds: Double) -> String {
    var body: [Value] = [
        ["id": "item", "type": "nodetool.input.GroupInput", "parent_id": "loop", "data": [:]],
        ["id": "double", "type": "nodetool.math.Multiply", "parent_id": "loop", "data": ["b": 2]],
        ["id": "plus", "type": "nodetool.math.Add", "parent_id": "loop", "data": ["b": 1]],
        ["id": "collect", "type": "nodetool.output.GroupOutput", "parent_id": "loop", "data": [:]],
    ]
    var edges: [Value] = [
        ["source": "seq", "sourceHandle": "output", "target": "loop", "targetHandle": "input"],
        ["source": "item", "sourceHandle": "output", "target": "double", "targetHandle": "a"],
        ["source": "double", "sourceHandle": "output", "target": "plus", "targetHandle": "a"],
        ["source": "loop", "sourceHandle": "output", "target": "out", "targetHandle": "value"],
    ]
    if waitSeconds > 0 {
        body.append(["id": "wait", "type": "nodeflow.control.Wait", "parent_id": "loop", "data": ["seconds": .float(waitSeconds)]])
        edges.append(["source": "plus", "sourceHandle": "output", "target": "wait", "targetHandle": "value"])
        edges.append(["source": "wait", "sourceHandle": "output", "target": "collect", "targetHandle": "input"])
    } else {
        edges.append(["source": "plus", "sourceHandle": "output", "target": "collect", "targetHandle": "input"])
    }
    let nodes: [Value] = [
        ["id": "seq", "type": "nodetool.list.GenerateSequence", "data": ["start": 0, "stop": .int(items)]],
        ["id": "loop", "type": "nodetool.group.Loop", "data": [:]],
        ["id": "out", "type": "nodetool.output.ListOutput", "data": ["name": "out"]],
    ] + body
    return Value.dict(["name": "loop", "graph": ["nodes": .list(nodes), "edges": .list(edges)]]).jsonString()
}
