import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Nodeflow
import NodeflowPostgres
import NodeflowTesting
import Testing

/// `nodeflow serve` as a process: graceful shutdown on SIGTERM with a job running.
@Suite("nodeflow serve", .serialized, .timeLimit(.minutes(1)))
struct ServeCommandTests {
    func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func request(_ port: Int, _ path: String, method: String = "GET", body: Value? = nil) async throws -> Value {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let body { request.httpBody = Data(body.jsonBytes()) }
        let (data, _) = try await URLSession.shared.data(for: request)
        return try Value(jsonBytes: Array(data))
    }

    func serve(_ extra: [String], data: String) async throws -> (Process, Int) {
        let port = freePort()
        let binary = try #require(NodeflowBinary.url)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--port", String(port), "--data-dir", data, "--max-concurrent-jobs", "1"] + extra
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 {
            if (try? await request(port, "/health")) != nil { return (process, port) }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the server did not start")
        return (process, port)
    }

    func waitGraph(_ seconds: Double) -> Value {
        ["graph": ["nodes": [["id": "w", "type": "nodeflow.control.Wait", "data": ["seconds": .float(seconds), "value": 1]]], "edges": []]]
    }

    func runningJob(_ port: Int, _ id: String) async throws {
        for _ in 0..<100 {
            if try await request(port, "/api/jobs/\(id)")["status"] == "running" { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("job \(id) never ran")
    }

    @Test("SIGTERM: the running job finishes, the queued one stays queued for the next start")
    func gracefulShutdown() async throws {
        let data = NodeflowBinary.temporaryDataDirectory()
        let (server, port) = try await serve([], data: data)
        let first = try #require(try await request(port, "/api/jobs", method: "POST", body: waitGraph(3))["job_id"]?.stringValue)
        let second = try #require(try await request(port, "/api/jobs", method: "POST", body: waitGraph(0.1))["job_id"]?.stringValue)
        try await runningJob(port, first)
        kill(server.processIdentifier, SIGTERM)
        await server.exited()
        #expect(server.terminationStatus == 0)
        let (_, listed) = try await NodeflowBinary.run(try #require(NodeflowBinary.url), ["jobs", "list", "--json"], dataDirectory: data)
        let jobs = try Value(json: listed).listValue ?? []
        #expect(jobs.first { $0["id"]?.stringValue == first }?["status"] == "completed")
        #expect(jobs.first { $0["id"]?.stringValue == second }?["status"] == "queued")

        // The next start picks the queued job up.
        let (again, port2) = try await serve([], data: data)
        for _ in 0..<100 {
            if try await request(port2, "/api/jobs/\(second)")["status"] == "completed" { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await request(port2, "/api/jobs/\(second)")["status"] == "completed")
        kill(again.processIdentifier, SIGTERM)
        await again.exited()
    }

    @Test("SIGTERM with --shutdown-grace 0 hands the running job back to the queue at once")
    func handingBackShutdown() async throws {
        let data = NodeflowBinary.temporaryDataDirectory()
        let (server, port) = try await serve(["--shutdown-grace", "0"], data: data)
        let id = try #require(try await request(port, "/api/jobs", method: "POST", body: waitGraph(30))["job_id"]?.stringValue)
        try await runningJob(port, id)
        let clock = ContinuousClock()
        let start = clock.now
        kill(server.processIdentifier, SIGTERM)
        await server.exited()
        #expect(clock.now - start < .seconds(5))
        let (_, listed) = try await NodeflowBinary.run(try #require(NodeflowBinary.url), ["jobs", "list", "--json"], dataDirectory: data)
        #expect((try Value(json: listed).listValue ?? []).first?["status"] == "queued")
    }

    @Test("a job that traps takes down its worker, not the server: a new worker takes the job over and finishes it")
    func trappingJobSparesTheServer() async throws {
        let data = NodeflowBinary.temporaryDataDirectory()
        let (server, port) = try await serve(["--workers", "1", "--lease", "1"], data: data)
        defer { kill(server.processIdentifier, SIGKILL) }
        let workflow = try Value(json: String(contentsOfFile: try JobCommandTests().sleepyWorkflow(count: 40, seconds: 0.05), encoding: .utf8))
        let id = try #require(try await request(port, "/api/jobs", method: "POST", body: workflow)["job_id"]?.stringValue)
        try await runningJob(port, id)
        let running = try await request(port, "/api/jobs/\(id)")
        let worker = try #require(running["process_id"]?.doubleValue.map(Int.init))
        #expect(worker != Int(server.processIdentifier))
        kill(Int32(worker), SIGILL)  // what a trap in a node does to the process running it
        #expect(try await request(port, "/health")["status"] == "ok")
        var job: Value = .null
        for _ in 0..<300 {
            job = try await request(port, "/api/jobs/\(id)")
            if job["status"] != "running" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(job["status"] == "completed" && job["outputs"] == ["result": 7])
        #expect(job["attempt"] == 2)
        #expect(server.isRunning)
        kill(server.processIdentifier, SIGTERM)
        await server.exited()
        #expect(server.terminationStatus == 0)
    }

    @Test("on PostgreSQL: the server takes a job, a worker on the database runs it, and the server streams its events")
    func postgresServerAndWorker() async throws {
        let url = try await PostgresJobStore.createDatabase(adminURL: try await TestPostgres.shared.url())
        let data = NodeflowBinary.temporaryDataDirectory()
        // The server runs no worker; one started apart (as on another machine) claims the job.
        let (server, port) = try await serve(["--database", url, "--workers", "0"], data: data)
        defer { kill(server.processIdentifier, SIGKILL) }
        let worker = Process()
        worker.executableURL = try #require(NodeflowBinary.url)
        worker.arguments = ["worker", "--database", url, "--data-dir", NodeflowBinary.temporaryDataDirectory()]
        worker.standardOutput = FileHandle.nullDevice
        worker.standardError = FileHandle.nullDevice
        try worker.run()
        defer { kill(worker.processIdentifier, SIGKILL) }
        let workflow = try Value(json: String(contentsOfFile: try JobCommandTests().sleepyWorkflow(count: 5, seconds: 0.02), encoding: .utf8))
        var run = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/workflows/run?stream=true")!)
        run.httpMethod = "POST"
        run.httpBody = Data(workflow.jsonBytes())
        let (streamed, _) = try await URLSession.shared.data(for: run)
        let events = String(decoding: streamed, as: UTF8.self).split(separator: "\n").compactMap { try? ProcessingMessage(jsonValue: Value(json: String($0))) }
        guard case .jobUpdate(let last)? = events.last else {
            Issue.record("the stream did not end with a job update: \(events.count) events")
            return
        }
        #expect(last.status == .completed && last.result == ["result": 7])
        #expect(events.filter { if case .nodeUpdate(let u) = $0 { u.status == .completed } else { false } }.count == 7)
        let job = try await request(port, "/api/jobs/\(last.jobID)")
        #expect(job["status"] == "completed" && job["worker"] == .null && job["attempt"] == 1)
    }

    @Test("jobs that used to crash the server fail on their own; the server keeps answering")
    func formerlyTrappingJobs() async throws {
        let data = NodeflowBinary.temporaryDataDirectory()
        let (server, port) = try await serve([], data: data)
        defer { kill(server.processIdentifier, SIGKILL) }
        let jobs: [Value] = [
            // Wait fed 1e300 seconds through an edge (validation cannot see it).
            ["graph": ["nodes": [
                ["id": "f", "type": "nodetool.constant.Float", "data": ["value": 1e300]],
                ["id": "w", "type": "nodeflow.control.Wait", "data": [:]],
            ], "edges": [["source": "f", "sourceHandle": "output", "target": "w", "targetHandle": "seconds"]]]],
            ["graph": ["nodes": [["id": "m", "type": "nodetool.math.Modulus", "data": ["a": .int(.min), "b": -1]],
                                 ["id": "o", "type": "nodetool.output.IntegerOutput", "data": ["name": "r"]]],
                       "edges": [["source": "m", "sourceHandle": "output", "target": "o", "targetHandle": "value"]]]],
            ["graph": ["nodes": [["id": "s", "type": "nodetool.list.GenerateSequence", "data": ["stop": 1_000_000_000_000]]], "edges": []]],
        ]
        var ids: [String] = []
        for job in jobs { ids.append(try #require(try await request(port, "/api/jobs", method: "POST", body: job)["job_id"]?.stringValue)) }
        var statuses: [Value] = []
        for id in ids {
            for _ in 0..<200 {
                let job = try await request(port, "/api/jobs/\(id)")
                if job["status"] != "queued" && job["status"] != "running" {
                    statuses.append(job["status"] ?? .null)
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        #expect(statuses == ["failed", "completed", "failed"])
        #expect(try await request(port, "/api/jobs/\(ids[1])")["outputs"] == ["r": 0])
        #expect(try await request(port, "/health")["status"] == "ok")
    }

    @Test("a port in use is a clear error")
    func portInUse() async throws {
        let data = NodeflowBinary.temporaryDataDirectory()
        let (server, port) = try await serve([], data: data)
        defer { kill(server.processIdentifier, SIGKILL) }
        let (status, _, errors) = try await NodeflowBinary.runCapturing(
            try #require(NodeflowBinary.url), ["serve", "--port", String(port), "--data-dir", NodeflowBinary.temporaryDataDirectory()])
        #expect(status == 1)
        #expect(errors.contains("error: port \(port) on 127.0.0.1 is already in use"))
    }
}
