import Foundation
import Nodeflow
import NodeflowJobs
import NodeflowPostgres
import NodeflowTesting
import Testing

/// Where the worker processes of a test keep their jobs: the data directory's SQLite store, or a
/// database of its own on the tests' PostgreSQL (`--database`).
struct QueueBackend: Sendable, CustomTestStringConvertible {
    var name: String
    /// The arguments that point a command at the store, and the store for the test to read.
    var prepare: @Sendable (_ data: String) async throws -> (arguments: [String], store: any JobStore)

    var testDescription: String { name }

    static let sqlite = QueueBackend(name: "SQLite") { data in
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        return ([], try SQLiteJobStore(path: data + "/jobs.sqlite"))
    }

    static let postgres = QueueBackend(name: "PostgreSQL") { _ in
        let url = try await PostgresJobStore.createDatabase(adminURL: try await TestPostgres.shared.url())
        return (["--database", url], try await PostgresJobStore.connect(url: url))
    }

    static let all: [QueueBackend] = [.sqlite, .postgres]
}

/// `nodeflow submit` and `nodeflow worker` as processes, on both stores: jobs claimed from the
/// store, a worker killed or stopped mid-job with the job finished elsewhere, fencing of a stale
/// worker, cancel across processes, poison jobs, graceful shutdown.
@Suite("Worker processes", .serialized, .timeLimit(.minutes(3)))
struct WorkerCommandTests {
    let commands = JobCommandTests()

    func binary() throws -> URL { try #require(NodeflowBinary.url, "the nodeflow executable is built beside the tests") }

    /// One test's data directory and store.
    struct Setup {
        var data: String
        var arguments: [String]
        var store: any JobStore
    }

    func setUp(_ backend: QueueBackend) async throws -> Setup {
        let data = NodeflowBinary.temporaryDataDirectory()
        let (arguments, store) = try await backend.prepare(data)
        return Setup(data: data, arguments: arguments, store: store)
    }

    /// Starts `nodeflow worker` (its log is kept in a file in the data directory, for failures).
    func worker(_ setup: Setup, _ extra: [String] = []) throws -> Process {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = ["worker", "--data-dir", setup.data, "--log-level", "debug"] + setup.arguments + extra
        try FileManager.default.createDirectory(atPath: setup.data, withIntermediateDirectories: true)
        let log = setup.data + "/worker-\(UUID().uuidString.prefix(8)).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        return process
    }

    func submit(_ setup: Setup, _ workflow: String) async throws -> String {
        let (code, output) = try await NodeflowBinary.run(binary(), ["submit", workflow] + setup.arguments, dataDirectory: setup.data)
        #expect(code == 0)
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The job as `nodeflow jobs show --json` shows it, read from the store directly (a
    /// process per poll would load the machine the other suites' timing tests run on).
    func job(_ setup: Setup, _ id: String) async throws -> Value {
        try await setup.store.job(id)?.summaryJSON ?? .null
    }

    func events(_ setup: Setup, _ id: String) async throws -> [Value] {
        try await setup.store.events(id, after: 0).map(\.message)
    }

    /// Waits until `condition` holds for the job (at most `seconds`).
    func wait(_ setup: Setup, _ id: String, seconds: Double = 30, until condition: (Value, [Value]) -> Bool) async throws -> (Value, [Value]) {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while true {
            let record = try await job(setup, id)
            let events = try await events(setup, id)
            if condition(record, events) { return (record, events) }
            if ContinuousClock.now >= deadline {
                Issue.record("job \(id) never got there: \(record)")
                return (record, events)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func completions(_ events: [Value], cached: Bool) -> [String] {
        events.filter { $0["type"] == "node_update" && $0["status"] == "completed" && ($0["cached"] == true) == cached }
            .compactMap { $0["node_id"]?.stringValue }
    }

    @Test("submit queues a valid workflow (an invalid one is refused, naming the problem); a worker runs it", arguments: QueueBackend.all)
    func submitAndRun(_ backend: QueueBackend) async throws {
        let setup = try await setUp(backend)
        let data = setup.data
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json").path
        try #"{"graph": {"nodes": [{"id": "n", "type": "nodetool.math.Nope"}], "edges": []}}"#.write(toFile: bad, atomically: true, encoding: .utf8)
        let (code, _, errors) = try await NodeflowBinary.runCapturing(binary(), ["submit", bad] + setup.arguments, dataDirectory: data)
        #expect(code == 2)
        #expect(errors.contains("nodetool.math.Nope"))

        let id = try await submit(setup, try commands.sleepyWorkflow(count: 3, seconds: 0.01))
        #expect(try await job(setup, id)["status"] == "queued")
        let process = try worker(setup)
        defer { kill(process.processIdentifier, SIGKILL) }
        let (done, _) = try await wait(setup, id) { job, _ in job["status"] == "completed" }
        #expect(done["outputs"] == ["result": 7])
        #expect(done["attempt"] == 1)
        kill(process.processIdentifier, SIGTERM)
        await process.exited()
        #expect(process.terminationStatus == 0)
    }

    @Test("kill -9 of a worker mid-job: another worker takes the job over when the lease lapses and finishes it, running again at most the last flush's nodes", arguments: QueueBackend.all)
    func killedWorkerIsTakenOver(_ backend: QueueBackend) async throws {
        let setup = try await setUp(backend)
        let data = setup.data
        let id = try await submit(setup, try commands.sleepyWorkflow(count: 60, seconds: 0.05))
        let first = try worker(setup, ["--lease", "1"])
        _ = try await wait(setup, id) { _, events in Self.completions(events, cached: false).count >= 10 }
        kill(first.processIdentifier, SIGKILL)
        await first.exited()
        let second = try worker(setup, ["--lease", "1"])
        defer { kill(second.processIdentifier, SIGKILL) }
        let (done, events) = try await wait(setup, id) { job, _ in job["status"] == "completed" }
        #expect(done["outputs"] == ["result": 7])
        #expect(done["attempt"] == 2)
        // Every node completed; those recorded by the first worker are not run again (the
        // second posts them as cached), but for the last ~100 ms before the kill.
        let ran = Self.completions(events, cached: false)
        #expect(Set(ran + Self.completions(events, cached: true)).count == 62)
        let twice = Dictionary(grouping: ran, by: { $0 }).filter { $0.value.count > 1 }
        #expect(twice.count <= 3, "run twice: \(twice.keys.sorted())")
        #expect(events.last?["type"] == "job_update" && events.last?["status"] == "completed")
    }

    @Test("a worker stopped (SIGSTOP) past its lease loses the job: resumed, it can neither record into it nor finish it", arguments: QueueBackend.all)
    func stoppedWorkerIsFenced(_ backend: QueueBackend) async throws {
        let setup = try await setUp(backend)
        let data = setup.data
        // Slow nodes: few writes, so the stop is unlikely to land inside one (a stopped process
        // holding SQLite's write lock would hold up every other process: see DIFFERENCES.md).
        let id = try await submit(setup, try commands.sleepyWorkflow(count: 12, seconds: 0.25))
        let first = try worker(setup, ["--lease", "1"])
        defer { kill(first.processIdentifier, SIGKILL) }
        _ = try await wait(setup, id) { _, events in Self.completions(events, cached: false).count >= 3 }
        kill(first.processIdentifier, SIGSTOP)
        let second = try worker(setup, ["--lease", "1"])
        defer { kill(second.processIdentifier, SIGKILL) }
        let (done, events) = try await wait(setup, id) { job, _ in job["status"] == "completed" }
        #expect(done["attempt"] == 2)
        kill(first.processIdentifier, SIGCONT)
        // The stale worker wakes up mid-node; give it time to try writing and to finish its node.
        try await Task.sleep(for: .seconds(1.5))
        let after = try await job(setup, id)
        #expect(after["status"] == "completed" && after["outputs"] == ["result": 7] && after["finished_at"] == done["finished_at"])
        #expect(try await self.events(setup, id).count == events.count, "the stale worker recorded into a job it lost")
        // It noticed, said so, and goes on serving (a clean exit on SIGTERM).
        kill(first.processIdentifier, SIGTERM)
        await first.exited()
        #expect(first.terminationStatus == 0)
        let logs = try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.hasSuffix(".log") }
            .map { (try? String(contentsOfFile: data + "/" + $0, encoding: .utf8)) ?? "" }.joined()
        #expect(logs.contains("lost the lease of a job"))
    }

    @Test("a cancel from another process reaches the worker running the job at once", arguments: QueueBackend.all)
    func cancelAcrossProcesses(_ backend: QueueBackend) async throws {
        let setup = try await setUp(backend)
        let data = setup.data
        let id = try await submit(setup, try commands.sleepyWorkflow(count: 200, seconds: 0.05))
        let process = try worker(setup)
        defer { kill(process.processIdentifier, SIGKILL) }
        _ = try await wait(setup, id) { job, _ in job["status"] == "running" }
        let clock = ContinuousClock()
        let start = clock.now
        let (code, _) = try await NodeflowBinary.run(binary(), ["jobs", "cancel", id] + setup.arguments, dataDirectory: data)
        #expect(code == 0)
        let (done, events) = try await wait(setup, id) { job, _ in job["status"] != "running" }
        #expect(done["status"] == "cancelled")
        #expect(clock.now - start < .seconds(5))  // 0.1–0.2 s here; BENCHMARKS.md
        #expect(events.last?["status"] == "cancelled")
    }

    @Test("a job that keeps killing its worker is failed as a poison job", arguments: QueueBackend.all)
    func poisonJob(_ backend: QueueBackend) async throws {
        let setup = try await setUp(backend)
        let data = setup.data
        let id = try await submit(setup, try commands.sleepyWorkflow(count: 200, seconds: 0.05))
        for attempt in 1...2 {
            let process = try worker(setup, ["--lease", "0.5", "--poison-after", "2"])
            _ = try await wait(setup, id) { job, _ in job["status"] == "running" && job["attempt"] == .int(attempt) }
            kill(process.processIdentifier, SIGKILL)  // what a trapping node does to its worker
            await process.exited()
        }
        let process = try worker(setup, ["--lease", "0.5", "--poison-after", "2"])
        defer { kill(process.processIdentifier, SIGKILL) }
        let (done, _) = try await wait(setup, id) { job, _ in job["status"] != "running" }
        #expect(done["status"] == "failed")
        #expect(done["error"]?.stringValue?.hasPrefix("poison job: its worker died or stalled while running it 2 times") == true)
    }

    @Test("SIGTERM with no grace hands the running job back; the next worker resumes it from its records", arguments: QueueBackend.all)
    func gracefulShutdownHandsBack(_ backend: QueueBackend) async throws {
        let setup = try await setUp(backend)
        let data = setup.data
        let id = try await submit(setup, try commands.sleepyWorkflow(count: 100, seconds: 0.05))
        let first = try worker(setup, ["--shutdown-grace", "0"])
        _ = try await wait(setup, id) { _, events in Self.completions(events, cached: false).count >= 5 }
        let clock = ContinuousClock()
        let start = clock.now
        kill(first.processIdentifier, SIGTERM)
        await first.exited()
        #expect(first.terminationStatus == 0)
        #expect(clock.now - start < .seconds(5))
        #expect(try await job(setup, id)["status"] == "queued")
        let second = try worker(setup)
        defer { kill(second.processIdentifier, SIGKILL) }
        let (done, events) = try await wait(setup, id) { job, _ in job["status"] == "completed" }
        #expect(done["outputs"] == ["result": 7])
        #expect(Self.completions(events, cached: true).count >= 5)
    }
}
