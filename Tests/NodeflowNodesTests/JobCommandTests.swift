import Foundation
import Nodeflow
import Testing

/// The job commands across processes: two runs writing one store, a run killed with SIGKILL and
/// resumed, a run cancelled from another process, and events followed live.
@Suite("Jobs across processes", .serialized, .timeLimit(.minutes(2)))
struct JobCommandTests {
    func binary() throws -> URL { try #require(NodeflowBinary.url, "the nodeflow executable is built beside the tests") }

    /// A chain of `count` Wait nodes of `seconds` each between an input and an output.
    func sleepyWorkflow(count: Int, seconds: Double) throws -> String {
        var nodes: [Value] = [["id": "in", "type": "nodetool.input.IntegerInput", "data": ["name": "x", "value": 7]]]
        var edges: [Value] = []
        var previous = "in"
        for i in 0..<count {
            nodes.append(["id": .string("w\(i)"), "type": "nodeflow.control.Wait", "data": ["seconds": .float(seconds)]])
            edges.append(["source": .string(previous), "sourceHandle": "output", "target": .string("w\(i)"), "targetHandle": "value"])
            previous = "w\(i)"
        }
        nodes.append(["id": "out", "type": "nodetool.output.IntegerOutput", "data": ["name": "result"]])
        edges.append(["source": .string(previous), "sourceHandle": "output", "target": "out", "targetHandle": "value"])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sleepy-\(UUID().uuidString).json").path
        try Value.dict(["name": "sleepy", "graph": ["nodes": .list(nodes), "edges": .list(edges)]]).jsonString().write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func start(_ arguments: [String], data: String) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments + ["--data-dir", data]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, out)
    }

    func jobs(_ data: String, status: String? = nil) async throws -> [Value] {
        let (code, output) = try await NodeflowBinary.run(binary(), ["jobs", "list", "--json", "--limit", "100"] + (status.map { ["--status", $0] } ?? []), dataDirectory: data)
        #expect(code == 0)
        return try Value(json: output).listValue ?? []
    }

    /// Waits until some job is running and has recorded at least `nodes` completed nodes.
    func waitForRunningJob(_ data: String, completedNodes nodes: Int = 1) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let job = try await jobs(data, status: "running").first, let id = job["id"]?.stringValue {
                let (_, events) = try await NodeflowBinary.run(binary(), ["jobs", "events", id], dataDirectory: data)
                if events.components(separatedBy: #""status":"completed""#).count - 1 >= nodes { return id }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no job got going")
        return ""
    }

    @Test("two processes run jobs against one store at once; both are recorded whole")
    func concurrentWriters() async throws {
        let data = NodeflowBinary.temporaryDataDirectory()
        let workflow = try sleepyWorkflow(count: 20, seconds: 0.005)
        let runs = try (0..<2).map { _ in try start(["run", workflow, "--quiet"], data: data) }
        for (process, _) in runs { await process.exited() }
        #expect(runs.allSatisfy { $0.0.terminationStatus == 0 })
        let all = try await jobs(data)
        #expect(all.count == 2)
        #expect(all.allSatisfy { $0["status"] == "completed" && $0["outputs"] == ["result": 7] })
        for job in all {
            let (_, events) = try await NodeflowBinary.run(binary(), ["jobs", "events", job["id"]!.stringValue!], dataDirectory: data)
            let lines = events.split(separator: "\n").compactMap { try? Value(json: String($0)) }.filter { $0["type"] != "node_progress" }
            #expect(lines.count == 2 + 2 * 22)
            #expect(lines.last?["status"] == "completed")
        }
    }

    @Test("kill -9 half-way, then resume: the outputs of an uninterrupted run, and only unfinished nodes run again")
    func killAndResume() async throws {
        let data = NodeflowBinary.temporaryDataDirectory()
        let workflow = try sleepyWorkflow(count: 200, seconds: 0.01)
        let (process, _) = try start(["run", workflow, "--quiet", "--no-cache"], data: data)
        let id = try await waitForRunningJob(data, completedNodes: 30)
        kill(process.processIdentifier, SIGKILL)
        await process.exited()

        // Opening the store sees the dead process and marks the job failed.
        let failed = try await jobs(data).first { $0["id"]?.stringValue == id }
        #expect(failed?["status"] == "failed")
        let (_, before) = try await NodeflowBinary.run(binary(), ["jobs", "events", id], dataDirectory: data)
        let recordedBefore = before.split(separator: "\n").count

        // --orphans finds the job whose process died, and resumes it.
        let (code, output) = try await NodeflowBinary.run(binary(), ["resume", "--orphans", "--quiet", "--no-cache"], dataDirectory: data)
        #expect(code == 0)
        #expect(try Value(json: output) == ["result": 7])

        let (_, after) = try await NodeflowBinary.run(binary(), ["jobs", "events", id], dataDirectory: data)
        let resumed = after.split(separator: "\n").dropFirst(recordedBefore).compactMap { try? Value(json: String($0)) }
        let processed = resumed.filter { $0["type"] == "node_update" && $0["status"] == "running" }.count
        let skipped = resumed.filter { $0["type"] == "node_update" && $0["status"] == "completed" && $0["cached"] == true }.count
        #expect(skipped >= 30, "nodes recorded before the kill are not run again")
        #expect(processed + skipped == 202, "every node either ran again or was skipped, once")
        #expect(processed < 202 - 29)
        #expect(try await jobs(data).first { $0["id"]?.stringValue == id }?["status"] == "completed")
    }

    @Test("jobs cancel from another process stops the run; events --follow sees it end")
    func cancelFromAnotherProcess() async throws {
        let data = NodeflowBinary.temporaryDataDirectory()
        let workflow = try sleepyWorkflow(count: 100, seconds: 0.05)
        let (process, _) = try start(["run", workflow, "--quiet"], data: data)
        let id = try await waitForRunningJob(data)
        let (follower, followed) = try start(["jobs", "events", id, "--follow"], data: data)
        let clock = ContinuousClock()
        let asked = clock.now
        #expect(try await NodeflowBinary.run(binary(), ["jobs", "cancel", id], dataDirectory: data).0 == 0)
        await process.exited()
        #expect(clock.now - asked < .seconds(2))
        #expect(process.terminationStatus == 130)
        await follower.exited()
        let lines = String(decoding: await followed.fileHandleForReading.readToEnd(), as: UTF8.self).split(separator: "\n").compactMap { try? Value(json: String($0)) }
        #expect(lines.last?["type"] == "job_update")
        #expect(lines.last?["status"] == "cancelled")
        #expect(try await jobs(data).first?["status"] == "cancelled")
        #expect(try await NodeflowBinary.run(binary(), ["jobs", "cancel", id], dataDirectory: data).0 == 1)
    }

    @Test("a job whose process crashed is failed as the likely cause and not resumed by --orphans, only by name")
    func crashedJobIsNotResumedBlindly() async throws {
        let data = NodeflowBinary.temporaryDataDirectory()
        let workflow = try sleepyWorkflow(count: 300, seconds: 0.05)
        let (process, _) = try start(["run", workflow, "--quiet", "--no-cache"], data: data)
        let id = try await waitForRunningJob(data)
        // What a trap in a node does to the process.
        kill(process.processIdentifier, SIGILL)
        await process.exited()
        #expect(process.terminationReason == .uncaughtSignal)

        let failed = try await jobs(data).first { $0["id"]?.stringValue == id }
        #expect(failed?["status"] == "failed")
        #expect(failed?["error"]?.stringValue?.contains("crashed while running this job") == true)
        let (code, output) = try await NodeflowBinary.run(binary(), ["resume", "--orphans", "--no-cache"], dataDirectory: data)
        #expect(code == 0)
        #expect(output.isEmpty)
        #expect(try await jobs(data).first { $0["id"]?.stringValue == id }?["status"] == "failed")
        // By name, it runs.
        let (again, result) = try await NodeflowBinary.run(binary(), ["resume", id, "--quiet", "--no-cache"], dataDirectory: data)
        #expect(again == 0)
        #expect(try Value(json: result) == ["result": 7])
    }

    @Test("kill -9 inside a Loop, then resume: finished iterations are not run again")
    func killInsideLoopAndResume() async throws {
        let data = NodeflowBinary.temporaryDataDirectory()
        let body: [Value] = [
            ["id": "item", "type": "nodetool.input.GroupInput", "parent_id": "loop", "data": [:]],
            ["id": "wait", "type": "nodeflow.control.Wait", "parent_id": "loop", "data": ["seconds": 0.05]],
            ["id": "collect", "type": "nodetool.output.GroupOutput", "parent_id": "loop", "data": [:]],
        ]
        let nodes: [Value] = [
            ["id": "seq", "type": "nodetool.list.GenerateSequence", "data": ["start": 0, "stop": 60]],
            ["id": "loop", "type": "nodetool.group.Loop", "data": [:]],
            ["id": "out", "type": "nodetool.output.ListOutput", "data": ["name": "out"]],
        ] + body
        let edges: [Value] = [
            ["source": "seq", "sourceHandle": "output", "target": "loop", "targetHandle": "input"],
            ["source": "item", "sourceHandle": "output", "target": "wait", "targetHandle": "value"],
            ["source": "wait", "sourceHandle": "output", "target": "collect", "targetHandle": "input"],
            ["source": "loop", "sourceHandle": "output", "target": "out", "targetHandle": "value"],
        ]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("loop-\(UUID().uuidString).json").path
        try Value.dict(["name": "loop", "graph": ["nodes": .list(nodes), "edges": .list(edges)]]).jsonString().write(toFile: path, atomically: true, encoding: .utf8)
        let (process, _) = try start(["run", path, "--quiet", "--no-cache"], data: data)
        // Node completions inside the loop: 3 per iteration; wait for 10 iterations' worth.
        let id = try await waitForRunningJob(data, completedNodes: 2 + 30)
        kill(process.processIdentifier, SIGKILL)
        await process.exited()

        let (_, before) = try await NodeflowBinary.run(binary(), ["jobs", "events", id], dataDirectory: data)
        let recorded = before.split(separator: "\n").compactMap { try? Value(json: String($0)) }
        let finishedBefore = recorded.filter { $0["node_id"] == "collect" && $0["status"] == "completed" }.count
        #expect(finishedBefore >= 8)

        let (code, output) = try await NodeflowBinary.run(binary(), ["resume", id, "--quiet", "--no-cache"], dataDirectory: data)
        #expect(code == 0)
        #expect(try Value(json: output) == ["out": .list((0..<60).map { .int($0) })])
        let (_, after) = try await NodeflowBinary.run(binary(), ["jobs", "events", id], dataDirectory: data)
        let resumed = after.split(separator: "\n").dropFirst(recorded.count).compactMap { try? Value(json: String($0)) }
        let ranAgain = resumed.filter { $0["node_id"] == "item" && $0["status"] == "running" }.count
        #expect(ranAgain <= 60 - finishedBefore, "finished iterations are skipped")
        #expect(ranAgain >= 1)
    }

    @Test("job ids may be given by a unique prefix")
    func prefixIDs() async throws {
        let data = NodeflowBinary.temporaryDataDirectory()
        let workflow = try sleepyWorkflow(count: 1, seconds: 0.001)
        // Run jobs until two ids start alike (at most 17: ids start with one of 16 hex digits).
        var all: [String] = []
        var pair: (String, String)?
        while pair == nil && all.count < 17 {
            #expect(try await NodeflowBinary.run(binary(), ["run", workflow, "--quiet"], dataDirectory: data).0 == 0)
            all = try await jobs(data).compactMap { $0["id"]?.stringValue }
            for (i, a) in all.enumerated() {
                if let b = all[(i + 1)...].first(where: { $0.first == a.first }) { pair = (a, b) }
            }
        }
        let (first, second) = try #require(pair)
        let ids = [first, second]
        // The shortest prefix that tells them apart, and one more character.
        let common = zip(ids[0], ids[1]).prefix { $0 == $1 }.count
        #expect(common >= 1)
        let short = String(ids[0].prefix(common + 1))
        let (status, shown) = try await NodeflowBinary.run(binary(), ["jobs", "show", short, "--json"], dataDirectory: data)
        #expect(status == 0)
        #expect(try Value(json: shown)["id"]?.stringValue == ids[0])
        #expect(try await NodeflowBinary.run(binary(), ["jobs", "events", short], dataDirectory: data).0 == 0)
        let (ambiguous, _, errors) = try await NodeflowBinary.runCapturing(binary(), ["jobs", "show", String(ids[0].prefix(common))], dataDirectory: data)
        #expect(ambiguous == 2)
        #expect(errors.contains("is the prefix of several jobs"))
        let (none, _, message) = try await NodeflowBinary.runCapturing(binary(), ["jobs", "show", "zzzz"], dataDirectory: data)
        #expect(none == 2 && message.contains("no job with id or id prefix 'zzzz'"))
    }
}
