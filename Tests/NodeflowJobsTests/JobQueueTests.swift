import Foundation
import Nodeflow
import NodeflowJobs
import NodeflowNodes
import NodeflowPostgres
import NodeflowTesting
import Testing

/// A store backend the queue contract is checked on. Each test gets a fresh store; `reopen`
/// opens the same store again as another process would (its own connections).
struct StoreBackend: Sendable, CustomTestStringConvertible {
    var name: String
    var make: @Sendable () async throws -> (store: any JobStore, reopen: @Sendable () async throws -> any JobStore)

    var testDescription: String { name }

    static let sqlite = StoreBackend(name: "SQLite") {
        let (store, directory) = try temporaryStore()
        let path = directory.appendingPathComponent("jobs.sqlite").path
        return (store, { try SQLiteJobStore(path: path) })
    }

    /// A database of its own on the tests' PostgreSQL cluster.
    static let postgres = StoreBackend(name: "PostgreSQL") {
        let url = try await PostgresJobStore.createDatabase(adminURL: try await TestPostgres.shared.url())
        return (try await PostgresJobStore.connect(url: url), { try await PostgresJobStore.connect(url: url) })
    }

    static let all: [StoreBackend] = [.sqlite, .postgres]
}

private let queuedGraph = smallGraph
private let t0 = Date(timeIntervalSince1970: 2_000_000_000)

@Suite("Job queue: claims, leases, fencing", .timeLimit(.minutes(1)))
struct JobQueueTests {
    @Test("many workers claiming at once, from several connections: every job is claimed exactly once, oldest first", arguments: StoreBackend.all)
    func claimRace(_ backend: StoreBackend) async throws {
        let (store, reopen) = try await backend.make()
        for i in 0..<60 {
            try await store.create(JobRecord(id: String(format: "job%03d", i), graph: queuedGraph, createdAt: t0.addingTimeInterval(Double(i))))
        }
        let stores = [store, try await reopen(), try await reopen()]
        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            for w in 0..<9 {
                let store = stores[w % stores.count]
                group.addTask {
                    let worker = WorkerIdentity(id: "w\(w)")
                    var mine: [String] = []
                    while let claim = try await store.claim(for: worker, policy: ClaimPolicy(lease: .seconds(60)), now: t0) {
                        #expect(claim.lease.epoch == 1 && !claim.isResumption)
                        // Each claim takes the oldest job left: a worker's claims only grow.
                        #expect(claim.job.id > (mine.last ?? ""))
                        mine.append(claim.job.id)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(ids.count == 60)
        #expect(Set(ids).count == 60)
        #expect(try await store.jobCounts()[.running] == 60)
        #expect(try await store.claim(for: WorkerIdentity(), policy: ClaimPolicy(), now: t0) == nil)
    }

    @Test("a lapsed lease is taken over with a new epoch; the old holder can no longer record, renew, finish or release", arguments: StoreBackend.all)
    func takeoverFencesTheOldHolder(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        try await store.create(JobRecord(id: "j", graph: queuedGraph))
        let policy = ClaimPolicy(lease: .seconds(2))
        let a = try #require(try await store.claim(for: WorkerIdentity(id: "a"), policy: policy, now: t0))
        try await store.record(a.lease, messages: [.logUpdate(LogUpdate(nodeID: "x", nodeName: "x", content: "from a"))], results: [])
        // Within the lease nobody else gets it; renewing extends it.
        #expect(try await store.claim(for: WorkerIdentity(id: "b"), policy: policy, now: t0.addingTimeInterval(1.5)) == nil)
        #expect(try await store.renew(a.lease, policy: policy, now: t0.addingTimeInterval(1.5)) == false)
        #expect(try await store.claim(for: WorkerIdentity(id: "b"), policy: policy, now: t0.addingTimeInterval(3)) == nil)
        // a stalls: its lease lapses at 3.5 s and b takes the job over.
        let b = try #require(try await store.claim(for: WorkerIdentity(id: "b"), policy: policy, now: t0.addingTimeInterval(4)))
        #expect(b.lease.epoch == a.lease.epoch + 1)
        #expect(b.isResumption)
        #expect(b.job.leaseOwner == "b" && b.job.leaseLosses == 1)

        let lost = { (error: any Error) -> Bool in if case JobStoreError.leaseLost("j") = error { true } else { false } }
        await #expect(performing: { try await store.record(a.lease, messages: [.logUpdate(LogUpdate(nodeID: "x", nodeName: "x", content: "stale"))], results: []) }, throws: lost)
        await #expect(performing: { _ = try await store.renew(a.lease, policy: policy, now: t0.addingTimeInterval(4)) }, throws: lost)
        await #expect(performing: { try await store.finish(a.lease, status: .completed, outputs: ["stale": 1], error: nil, errorNodeID: nil) }, throws: lost)
        await #expect(performing: { try await store.release(a.lease) }, throws: lost)

        try await store.record(b.lease, messages: [.logUpdate(LogUpdate(nodeID: "x", nodeName: "x", content: "from b"))], results: [])
        try await store.finish(b.lease, status: .completed, outputs: ["sum": 3], error: nil, errorNodeID: nil)
        // Finished once: a second finish, even by the holder, is refused.
        await #expect(performing: { try await store.finish(b.lease, status: .failed, outputs: nil, error: "again", errorNodeID: nil) }, throws: lost)
        let job = try #require(try await store.job("j"))
        #expect(job.status == .completed && job.outputs == ["sum": 3] && job.leaseOwner == nil)
        let logs = try await store.events("j", after: 0).compactMap { $0.message["content"]?.stringValue }
        #expect(logs == ["from a", "from b"])
    }

    @Test("a job whose lease lapsed poisonAfter times is failed as poison, not claimed again", arguments: StoreBackend.all)
    func poisonJob(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        try await store.create(JobRecord(id: "p", graph: queuedGraph, createdAt: t0))
        try await store.create(JobRecord(id: "fine", graph: queuedGraph, createdAt: t0.addingTimeInterval(1)))
        let policy = ClaimPolicy(lease: .seconds(1), poisonAfter: 2)
        let first = try #require(try await store.claim(for: WorkerIdentity(), policy: policy, now: t0))
        #expect(first.job.id == "p")
        let second = try #require(try await store.claim(for: WorkerIdentity(), policy: policy, now: t0.addingTimeInterval(0.5)))
        #expect(second.job.id == "fine")
        try await store.finish(second.lease, status: .completed, outputs: [:], error: nil, errorNodeID: nil)
        // Lapse 1: taken over.
        let again = try #require(try await store.claim(for: WorkerIdentity(), policy: policy, now: t0.addingTimeInterval(2)))
        #expect(again.job.id == "p" && again.job.leaseLosses == 1)
        // Lapse 2: failed as poison.
        #expect(try await store.claim(for: WorkerIdentity(), policy: policy, now: t0.addingTimeInterval(4)) == nil)
        let job = try #require(try await store.job("p"))
        #expect(job.status == .failed && job.leaseLosses == 2)
        #expect(job.error?.hasPrefix("poison job: its worker died or stalled while running it 2 times") == true)
    }

    @Test("labels route jobs: a job needing gpu goes only to a worker labelled gpu (and others)", arguments: StoreBackend.all)
    func labelRouting(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        var gpuJob = JobRecord(id: "gpu", graph: queuedGraph, createdAt: t0)
        gpuJob.requiredLabels = ["gpu"]
        try await store.create(gpuJob)
        var both = JobRecord(id: "both", graph: queuedGraph, createdAt: t0.addingTimeInterval(1))
        both.requiredLabels = ["gpu", "big-mem"]
        try await store.create(both)
        try await store.create(JobRecord(id: "plain", graph: queuedGraph, createdAt: t0.addingTimeInterval(2)))

        #expect(try await store.claim(for: WorkerIdentity(labels: []), policy: ClaimPolicy(), now: t0)?.job.id == "plain")
        #expect(try await store.claim(for: WorkerIdentity(labels: ["cpu"]), policy: ClaimPolicy(), now: t0) == nil)
        // A label is matched whole: "gp" is not "gpu".
        #expect(try await store.claim(for: WorkerIdentity(labels: ["gp", "big"]), policy: ClaimPolicy(), now: t0) == nil)
        #expect(try await store.claim(for: WorkerIdentity(labels: ["gpu"]), policy: ClaimPolicy(), now: t0)?.job.id == "gpu")
        #expect(try await store.claim(for: WorkerIdentity(labels: ["gpu"]), policy: ClaimPolicy(), now: t0) == nil)
        let last = try await store.claim(for: WorkerIdentity(labels: ["gpu", "big-mem", "x"]), policy: ClaimPolicy(), now: t0)
        #expect(last?.job.id == "both" && last?.job.requiredLabels == ["big-mem", "gpu"])
    }

    @Test("a job needs gpu when one of its nodes holds a GPU slot")
    func requiredLabels() {
        var registry = NodeRegistry.standard
        registry.register(GPUTestNode.self)
        let plain = queuedGraph
        var gpu = queuedGraph
        gpu.nodes.append(NodeSpec(id: "g", type: "test.queue.GPU"))
        #expect(JobRecord.requiredLabels(for: plain, registry: registry) == [])
        #expect(JobRecord.requiredLabels(for: gpu, registry: registry) == ["gpu"])
    }

    @Test("a released job goes back to the queue and is resumed by the next claim; cancelled meanwhile, it ends cancelled", arguments: StoreBackend.all)
    func releaseAndCancel(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        try await store.create(JobRecord(id: "r", graph: queuedGraph, createdAt: t0))
        let first = try #require(try await store.claim(for: WorkerIdentity(), policy: ClaimPolicy(), now: t0))
        try await store.release(first.lease)
        #expect(try await store.status(of: "r") == .queued)
        let second = try #require(try await store.claim(for: WorkerIdentity(), policy: ClaimPolicy(), now: t0))
        #expect(second.isResumption && second.lease.epoch == 2 && second.job.leaseLosses == 0)
        // A cancel request reaches the holder through renew; released then, the job ends.
        #expect(try await store.requestCancel("r"))
        #expect(try await store.renew(second.lease, policy: ClaimPolicy(), now: t0) == true)
        try await store.release(second.lease)
        #expect(try await store.status(of: "r") == .cancelled)
        #expect(try await store.claim(for: WorkerIdentity(), policy: ClaimPolicy(), now: t0) == nil)

        // A running job asked to cancel whose worker died is not run again.
        try await store.create(JobRecord(id: "dead", graph: queuedGraph, createdAt: t0))
        let held = try #require(try await store.claim(for: WorkerIdentity(), policy: ClaimPolicy(lease: .seconds(1)), now: t0))
        #expect(try await store.requestCancel("dead"))
        #expect(try await store.claim(for: WorkerIdentity(), policy: ClaimPolicy(), now: t0.addingTimeInterval(5)) == nil)
        #expect(try await store.status(of: "dead") == .cancelled)
        _ = held
    }

    @Test("jobs held by a lease are not orphans of their process: their lease lapses instead", arguments: StoreBackend.all)
    func leasedJobsAreNotOrphans(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        try await store.create(JobRecord(id: "leased", graph: queuedGraph))
        _ = try #require(try await store.claim(for: WorkerIdentity(host: "here", processID: 999_999), policy: ClaimPolicy(), now: Date()))
        #expect(try await store.failOrphans(host: "here") { _ in false } == [])
        #expect(try await store.status(of: "leased") == .running)
    }

    @Test("a job `nodeflow run` runs itself (created running, or marked running) is never claimed", arguments: StoreBackend.all)
    func ownRunsAreNotClaimed(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        var own = JobRecord(id: "own", graph: queuedGraph, status: .running)
        own.processID = getpid()
        own.host = "h"
        own.epoch = 1
        try await store.create(own)
        try await store.create(JobRecord(id: "resumed", graph: queuedGraph))
        let lease = try await store.markRunning("resumed", processID: getpid(), host: "h")
        #expect(lease.epoch == 1)
        #expect(try await store.claim(for: WorkerIdentity(), policy: ClaimPolicy(), now: Date().addingTimeInterval(3600)) == nil)
        // Its writes are fenced like a worker's: a second markRunning (another resume) wins.
        let newer = try await store.markRunning("resumed", processID: getpid(), host: "h")
        await #expect(throws: JobStoreError.self) { try await store.finish(lease, status: .completed, outputs: [:], error: nil, errorNodeID: nil) }
        try await store.finish(newer, status: .completed, outputs: [:], error: nil, errorNodeID: nil)
    }
}

@Suite("Job worker", .serialized, .timeLimit(.minutes(1)))
struct JobWorkerTests {
    @Test("a worker runs queued jobs to the end, and its jobs take GPU slots from one pool", arguments: StoreBackend.all)
    func sharedGPUPool(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        await SlowGPUTestNode.spans.reset()
        var registry = NodeRegistry.standard
        registry.register(SlowGPUTestNode.self)
        let graph = Graph(
            nodes: [NodeSpec(id: "g", type: "test.queue.SlowGPU"), NodeSpec(id: "o", type: "nodetool.output.IntegerOutput", data: ["name": "slot"])],
            edges: [EdgeSpec(source: "g", target: "o", targetHandle: "value")])
        for i in 0..<3 { try await store.create(JobRecord(id: "gpu\(i)", graph: graph, createdAt: t0.addingTimeInterval(Double(i)))) }
        var configuration = JobWorker.Configuration(runner: .init(registry: registry, gpuSlots: 1))
        configuration.concurrency = 3
        let worker = JobWorker(store: store, identity: WorkerIdentity(labels: ["gpu"]), configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await worker.run() }
            while try await store.jobCounts()[.completed] != 3 { try await Task.sleep(for: .milliseconds(20)) }
            worker.stop(grace: .zero)
            try await group.waitForAll()
        }
        for i in 0..<3 { #expect(try await store.job("gpu\(i)")?.outputs == ["slot": 0]) }
        // Three jobs at once, one GPU slot: they held it one after another.
        let spans = await SlowGPUTestNode.spans.all.sorted { $0.0 < $1.0 }
        #expect(spans.count >= 3)
        for (a, b) in zip(spans, spans.dropFirst()) { #expect(a.1 <= b.0, "GPU spans overlap: \(a) and \(b)") }
    }
}

/// Holds a GPU slot for 50 ms and notes when.
struct SlowGPUTestNode: Node {
    static let metadata = NodeMetadata(type: "test.queue.SlowGPU", outputs: [OutputDescriptor("output", .int)], requiredResources: [.gpu])
    static let spans = Spans()

    actor Spans {
        var all: [(ContinuousClock.Instant, ContinuousClock.Instant)] = []
        func add(_ start: ContinuousClock.Instant, _ end: ContinuousClock.Instant) { all.append((start, end)) }
        func reset() { all = [] }
    }

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let start = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(50))
        await Self.spans.add(start, ContinuousClock.now)
        return NodeOutputs(.int(context.deviceSlot ?? -1))
    }
}

/// Holds a GPU slot.
struct GPUTestNode: Node {
    static let metadata = NodeMetadata(type: "test.queue.GPU", outputs: [OutputDescriptor("output", .int)], requiredResources: [.gpu])

    func process(_ context: NodeContext) async throws -> NodeOutputs { NodeOutputs(.int(1)) }
}
