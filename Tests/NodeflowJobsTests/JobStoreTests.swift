import Foundation
import Nodeflow
import NodeflowJobs
import NodeflowNodes
import Testing

/// A fresh store file in its own temporary directory.
func temporaryStore() throws -> (SQLiteJobStore, URL) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nodeflow-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return (try SQLiteJobStore(path: directory.appendingPathComponent("jobs.sqlite").path), directory)
}

let smallGraph = Graph(
    nodes: [NodeSpec(id: "a", type: "nodetool.math.Add", data: ["a": 1, "b": 2]), NodeSpec(id: "o", type: "nodetool.output.IntegerOutput", data: ["name": "sum"])],
    edges: [EdgeSpec(source: "a", target: "o", targetHandle: "value")])

@Suite("Job store, on SQLite and PostgreSQL", .timeLimit(.minutes(1)))
struct JobStoreTests {
    @Test("a queued job is cancelled at once and no worker claims it; a resume later is not cancelled by the old request", arguments: StoreBackend.all)
    func cancelWhileQueued(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        try await store.create(JobRecord(id: "q", workflowID: nil, workflowName: nil, graph: smallGraph, params: [:]))
        #expect(try await store.requestCancel("q"))
        #expect(try await store.status(of: "q") == .cancelled)
        #expect(try await store.job("q")?.finishedAt != nil)
        #expect(try await store.claim(for: WorkerIdentity()) == nil)
        // Resumed by name later: the earlier request is spent.
        _ = try await store.markRunning("q", processID: 2, host: "h")
        #expect(try await store.isCancelRequested("q") == false)
    }

    @Test("job ids by prefix: every id that starts so, in order, and no other", arguments: StoreBackend.all)
    func idsByPrefix(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        for id in ["abc1", "abc2", "abd", "b", "ab\u{10FFFF}z"] { try await store.create(JobRecord(id: id, graph: smallGraph)) }
        #expect(try await store.jobIDs(startingWith: "ab", limit: 10) == ["abc1", "abc2", "abd", "ab\u{10FFFF}z"])
        #expect(try await store.jobIDs(startingWith: "abc", limit: 10) == ["abc1", "abc2"])
        #expect(try await store.jobIDs(startingWith: "abd", limit: 10) == ["abd"])
        #expect(try await store.jobIDs(startingWith: "abc", limit: 1) == ["abc1"])
        #expect(try await store.jobIDs(startingWith: "x", limit: 10).isEmpty)
        #expect(try await store.status(of: "b") == .queued)
        #expect(try await store.status(of: "none") == nil)
    }

    @Test("a job's whole life: created, running, messages and results recorded, finished", arguments: StoreBackend.all)
    func lifeCycle(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        var job = JobRecord(id: "j1", workflowID: "w", workflowName: "demo", graph: smallGraph, params: ["x": 1.5], userID: "u1")
        try await store.create(job)
        #expect(try await store.job("j1")?.status == .queued)
        #expect(try await store.job("j1")?.graph.jsonValue == smallGraph.jsonValue)
        #expect(try await store.job("j1")?.params == ["x": 1.5])

        let lease = try await store.markRunning("j1", processID: 42, host: "h")
        let running = try #require(try await store.job("j1"))
        #expect(running.status == .running && running.processID == 42 && running.startedAt != nil)

        let messages: [ProcessingMessage] = [
            .jobUpdate(JobUpdate(jobID: "j1", status: .running)),
            .nodeUpdate(NodeUpdate(nodeID: "a", nodeName: "Add", nodeType: "nodetool.math.Add", status: .completed, result: NodeOutputs(.int(3)))),
        ]
        try await store.record(lease, messages: messages, results: [NodeResultRecord(nodeID: "a", outputs: NodeOutputs(.int(3)), duration: 0.001)])
        try await store.record(lease, messages: [.jobUpdate(JobUpdate(jobID: "j1", status: .completed, result: ["sum": 3]))], results: [])
        let events = try await store.events("j1", after: 0)
        #expect(events.map(\.sequence) == [1, 2, 3])
        #expect(events.map { $0.message["type"] } == ["job_update", "node_update", "job_update"])
        #expect(try await store.events("j1", after: 2).map(\.sequence) == [3])
        #expect(try await store.nodeResults("j1")["a"]?.outputs == NodeOutputs(.int(3)))

        try await store.finish(lease, status: .completed, outputs: ["sum": 3], error: nil, errorNodeID: nil)
        job = try #require(try await store.job("j1"))
        #expect(job.status == .completed && job.outputs == ["sum": 3] && job.finishedAt != nil && job.processID == nil)
    }

    @Test("listing filters by status and user, newest first, with paging", arguments: StoreBackend.all)
    func listing(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        for i in 0..<5 {
            try await store.create(JobRecord(id: "j\(i)", graph: smallGraph, userID: i % 2 == 0 ? "even" : "odd", createdAt: Date(timeIntervalSince1970: Double(1000 + i))))
        }
        try await store.finish(try await store.markRunning("j3", processID: 1, host: "h"), status: .failed, outputs: nil, error: "boom", errorNodeID: "a")
        #expect(try await store.jobs(JobQuery()).map(\.id) == ["j4", "j3", "j2", "j1", "j0"])
        #expect(try await store.jobs(JobQuery(limit: 2, offset: 1)).map(\.id) == ["j3", "j2"])
        #expect(try await store.jobs(JobQuery(status: .failed)).map(\.id) == ["j3"])
        #expect(try await store.jobs(JobQuery(userID: "even")).map(\.id) == ["j4", "j2", "j0"])
        #expect(try await store.job("j3")?.errorNodeID == "a")
    }

    @Test("a new file is migrated, and opening it again keeps its data")
    func migrations() async throws {
        let (store, directory) = try temporaryStore()
        try await store.create(JobRecord(id: "kept", graph: smallGraph))
        let reopened = try SQLiteJobStore(path: directory.appendingPathComponent("jobs.sqlite").path)
        #expect(try await reopened.job("kept") != nil)
    }

    @Test("cancel requests reach the job; only queued or running jobs take them", arguments: StoreBackend.all)
    func cancelRequests(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        try await store.create(JobRecord(id: "j", graph: smallGraph))
        let lease = try await store.markRunning("j", processID: 1, host: "h")
        #expect(try await store.isCancelRequested("j") == false)
        #expect(try await store.requestCancel("j"))
        #expect(try await store.isCancelRequested("j"))
        try await store.finish(lease, status: .cancelled, outputs: nil, error: nil, errorNodeID: nil)
        #expect(try await store.requestCancel("j") == false)
    }

    @Test("jobs whose process is gone are marked failed; live ones are left alone", arguments: StoreBackend.all)
    func orphans(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        for id in ["dead", "alive", "elsewhere"] { try await store.create(JobRecord(id: id, graph: smallGraph)) }
        _ = try await store.markRunning("dead", processID: 111, host: "here")
        _ = try await store.markRunning("alive", processID: 222, host: "here")
        _ = try await store.markRunning("elsewhere", processID: 111, host: "there")
        let failed = try await store.failOrphans(host: "here") { $0 == 222 }
        #expect(failed == ["dead"])
        #expect(try await store.job("dead")?.status == .failed)
        #expect(try await store.job("dead")?.error?.contains("ended without finishing") == true)
        #expect(try await store.job("alive")?.status == .running)
        #expect(try await store.job("elsewhere")?.status == .running)
    }

    @Test("prune deletes finished jobs past the policy, oldest first, with their events; never a queued or running one", arguments: StoreBackend.all)
    func pruneByPolicy(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        for i in 0..<6 {
            try await store.create(JobRecord(id: "done\(i)", graph: smallGraph, createdAt: Date(timeIntervalSince1970: 1_000 + Double(i))))
            let lease = try await store.markRunning("done\(i)", processID: 1, host: "h")
            try await store.record(lease, messages: [.logUpdate(LogUpdate(nodeID: "a", nodeName: "a", content: "\(i)"))], results: [])
            try await store.finish(lease, status: .completed, outputs: [:], error: nil, errorNodeID: nil)
        }
        try await store.create(JobRecord(id: "queued", graph: smallGraph, createdAt: Date(timeIntervalSince1970: 1)))
        try await store.create(JobRecord(id: "running", graph: smallGraph, createdAt: Date(timeIntervalSince1970: 2)))
        _ = try await store.markRunning("running", processID: 1, host: "h")
        let policy = RetentionPolicy(maxAge: nil, maxJobs: 2, maxBytes: nil)
        #expect(try await store.exceeds(policy))
        let report = try await store.prune(policy)
        #expect(Set(report.deletedJobs) == ["done0", "done1", "done2", "done3"])
        #expect(try await store.exceeds(policy) == false)
        #expect(try await store.jobs(JobQuery()).map(\.id).sorted() == ["done4", "done5", "queued", "running"])
        #expect(try await store.events("done0", after: 0).isEmpty)
        #expect(try await store.events("done5", after: 0).count == 1)
        // By age: everything finished is older than a day here; queued and running stay.
        try await store.prune(RetentionPolicy(maxAge: 86_400, maxJobs: nil, maxBytes: nil))
        #expect(try await store.jobs(JobQuery()).map(\.id).sorted() == ["queued", "running"])
    }

    @Test("a recorded run can resume: finished nodes are skipped, the outputs are the same", arguments: StoreBackend.all)
    func recordAndResume(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        let graph = Graph(
            nodes: [
                NodeSpec(id: "a", type: "nodetool.math.Add", data: ["a": 1, "b": 2]),
                NodeSpec(id: "b", type: "nodetool.math.Multiply", data: ["b": 10]),
                NodeSpec(id: "o", type: "nodetool.output.IntegerOutput", data: ["name": "r"]),
            ],
            edges: [EdgeSpec(source: "a", target: "b", targetHandle: "a"), EdgeSpec(source: "b", target: "o", targetHandle: "value")])
        try await store.create(JobRecord(id: "r", graph: graph))
        let lease = try await store.markRunning("r", processID: 1, host: "h")
        // As if a first run had finished only node a, with a recorded result that differs from
        // what a would compute: the resumed run must use the record, not recompute.
        try await store.record(lease, messages: [], results: [NodeResultRecord(nodeID: "a", outputs: NodeOutputs(.int(5)))])

        let recorder = JobRecorder(store: store, jobID: "r")
        let context = ProcessingContext(tap: recorder)
        var request = RunJobRequest(graph: graph)
        request.completedResults = try await store.nodeResults("r").mapValues(\.outputs)
        async let drained: Void = { for await _ in context.messages {} }()
        let outputs = try await WorkflowRunner(jobID: "r", configuration: .init(registry: .standard)).run(request, context: context)
        await drained
        try await recorder.flush(lease)
        #expect(outputs == ["r": 50])
        let events = try await store.events("r", after: 0)
        let running = events.filter { $0.message["status"] == "running" && $0.message["type"] == "node_update" }.compactMap { $0.message["node_id"]?.stringValue }
        #expect(running == ["b", "o"])
        #expect(events.contains { $0.message["node_id"] == "a" && $0.message["cached"] == true })
        #expect(try await store.nodeResults("r").keys.sorted() == ["a", "b", "o"])
    }
}

@Suite("Disk result cache", .timeLimit(.minutes(1)))
struct DiskResultCacheTests {
    func temporaryCache(maxBytes: Int = 1 << 20) throws -> DiskResultCache {
        try DiskResultCache(directory: FileManager.default.temporaryDirectory.appendingPathComponent("nodeflow-cache-\(UUID().uuidString)"), maxBytes: maxBytes)
    }

    @Test("entries survive a new instance (another process) and keep every value exactly")
    func roundTrip() throws {
        let cache = try temporaryCache()
        let key = CacheKey(nodeType: "t", inputs: ["x": 1])
        // NaN, -Infinity and bytes too, which JSON could not bring back.
        let outputs: NodeOutputs = ["output": [1, 1.0, "é", nil, .float(.nan), .float(-.infinity), .bytes([0, 255])], "other": ["k": true]]
        cache.store(outputs, for: key)
        let other = try DiskResultCache(directory: cache.directory)
        #expect(other.outputs(for: key) == outputs)
        #expect(other.outputs(for: CacheKey(nodeType: "t", inputs: ["x": 2])) == nil)
        #expect(other.statistics.hits == 1 && other.statistics.misses == 1 && other.statistics.entries == 1)
    }

    @Test("a torn or damaged entry is detected, ignored and removed", arguments: ["truncate", "flip", "garbage"])
    func tornEntry(damage: String) throws {
        let cache = try temporaryCache()
        let key = CacheKey(nodeType: "t", inputs: ["x": 1])
        cache.store(NodeOutputs(.string(String(repeating: "v", count: 100))), for: key)
        let file = try #require(FileManager.default.enumerator(atPath: cache.directory.path)?.allObjects.compactMap { $0 as? String }.first { $0.hasSuffix(key.hex) })
        let path = cache.directory.appendingPathComponent(file).path
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        switch damage {
        case "truncate": bytes = Array(bytes.prefix(bytes.count / 2))
        case "flip": bytes[bytes.count - 3] ^= 0xFF
        default: bytes = Array("not a cache entry".utf8)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(cache.outputs(for: key) == nil)
        #expect(cache.statistics.corrupt == 1)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("past its bound, the least recently used entries go first")
    func eviction() throws {
        let cache = try temporaryCache(maxBytes: 4_000)
        let keys = (0..<10).map { CacheKey(nodeType: "t", inputs: ["i": .int($0)]) }
        for (i, key) in keys.enumerated() {
            cache.store(NodeOutputs(.string(String(repeating: "x", count: 900))), for: key)
            // Distinct modification times, and key 0 used last of all.
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: Double(1_000 + i))], ofItemAtPath: path(cache, key))
        }
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: path(cache, keys[0]))
        cache.evict()
        #expect(cache.statistics.bytes <= 4_000)
        #expect(FileManager.default.fileExists(atPath: path(cache, keys[0])))
        #expect(!FileManager.default.fileExists(atPath: path(cache, keys[1])))
        #expect(FileManager.default.fileExists(atPath: path(cache, keys[9])))
    }

    func path(_ cache: DiskResultCache, _ key: CacheKey) -> String {
        cache.directory.appendingPathComponent(String(key.hex.prefix(2))).appendingPathComponent(key.hex).path
    }

    @Test("clear removes everything")
    func clear() throws {
        let cache = try temporaryCache()
        cache.store(NodeOutputs(.int(1)), for: CacheKey(nodeType: "t", inputs: [:]))
        cache.removeAll()
        #expect(cache.statistics.entries == 0)
    }
}
