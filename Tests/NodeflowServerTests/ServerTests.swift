import Foundation
import Hummingbird
import HummingbirdTesting
import Nodeflow
import NodeflowJobs
import NodeflowServer
import Testing

/// A server on a loopback port over a fresh store, for one test.
func withServer(
    tokens: [String: String]? = nil, maxConcurrentJobs: Int = 4, maxBodySize: Int = 1 << 20,
    configure: (inout ServerConfiguration) -> Void = { _ in },
    _ test: @escaping @Sendable (any TestClientProtocol, SQLiteJobStore) async throws -> Void
) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nodeflow-server-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let store = try SQLiteJobStore(path: directory.appendingPathComponent("jobs.sqlite").path)
    var configuration = ServerConfiguration()
    configuration.port = 0
    configuration.tokens = tokens
    configuration.maxBodySize = maxBodySize
    configure(&configuration)
    var jobsConfiguration = JobService.Configuration()
    jobsConfiguration.maxConcurrentJobs = maxConcurrentJobs
    jobsConfiguration.shutdownGrace = .zero
    let jobs = JobService(store: store, configuration: jobsConfiguration)
    let app = makeServer(configuration: configuration, store: store, jobs: jobs)
    try await app.test(.live) { client in try await test(client, store) }
}

func body(_ value: Value) -> ByteBuffer { ByteBuffer(bytes: value.jsonBytes()) }

func json(_ response: TestResponse) throws -> Value { try Value(jsonBytes: Array(response.body.readableBytesView)) }

let addGraph: Value = [
    "nodes": [
        ["id": "x", "type": "nodetool.input.IntegerInput", "data": ["name": "x", "value": 0]],
        ["id": "add", "type": "nodetool.math.Add", "data": ["b": 1]],
        ["id": "out", "type": "nodetool.output.IntegerOutput", "data": ["name": "sum"]],
    ],
    "edges": [
        ["source": "x", "sourceHandle": "output", "target": "add", "targetHandle": "a"],
        ["source": "add", "sourceHandle": "output", "target": "out", "targetHandle": "value"],
    ],
]

func waitGraph(seconds: Double) -> Value {
    ["nodes": [["id": "w", "type": "nodeflow.control.Wait", "data": ["seconds": .float(seconds), "value": 1]]], "edges": []]
}

/// Polls a job until it is no longer queued or running.
func finished(_ client: any TestClientProtocol, _ id: String, headers: HTTPFields = [:]) async throws -> Value {
    for _ in 0..<400 {
        let job = try json(try await client.execute(uri: "/api/jobs/\(id)", method: .get, headers: headers))
        if job["status"] != "queued" && job["status"] != "running" { return job }
        try await Task.sleep(for: .milliseconds(25))
    }
    Issue.record("job \(id) did not finish")
    return nil
}

@Suite("HTTP API", .timeLimit(.minutes(1)))
struct ServerTests {
    @Test("health and node metadata")
    func healthAndNodes() async throws {
        try await withServer { client, _ in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
            #expect(try json(health)["status"] == "ok")
            let nodes = try json(try await client.execute(uri: "/api/nodes", method: .get))
            #expect(nodes.listValue?.contains { $0["node_type"] == "nodetool.math.Add" } == true)
        }
    }

    @Test("submit a job, read its status, outputs, node timings and events")
    func submitAndRead() async throws {
        try await withServer { client, _ in
            let submitted = try await client.execute(uri: "/api/jobs", method: .post, body: body(["graph": addGraph, "params": ["x": 41]]))
            #expect(submitted.status == .accepted)
            let id = try #require(try json(submitted)["job_id"]?.stringValue)
            let job = try await finished(client, id)
            #expect(job["status"] == "completed")
            #expect(job["outputs"] == ["sum": 42])
            #expect(job["nodes"]?.listValue?.map { $0["node_id"] } == ["x", "add", "out"])
            let events = try json(try await client.execute(uri: "/api/jobs/\(id)/events", method: .get))
            #expect(events["events"]?.listValue?.first?["status"] == "running")
            #expect(events["events"]?.listValue?.last?["status"] == "completed")
            let list = try json(try await client.execute(uri: "/api/jobs?status=completed", method: .get))
            #expect(list["jobs"]?.listValue?.map { $0["id"] } == [.string(id)])

            // A workflow file posted as it is keeps its name and id.
            let file: Value = ["id": "wf-1", "name": "Add one", "graph": addGraph, "params": ["x": 1]]
            let posted = try #require(try json(try await client.execute(uri: "/api/jobs", method: .post, body: body(file)))["job_id"]?.stringValue)
            let named = try await finished(client, posted)
            #expect(named["workflow_name"] == "Add one" && named["workflow_id"] == "wf-1")
        }
    }

    @Test("events follow a running job as NDJSON until it ends; run?stream=true streams in one call")
    func streaming() async throws {
        try await withServer { client, _ in
            let id = try #require(try json(try await client.execute(uri: "/api/jobs", method: .post, body: body(["graph": waitGraph(seconds: 0.3)])))["job_id"]?.stringValue)
            let followed = try await client.execute(uri: "/api/jobs/\(id)/events?follow=true", method: .get)
            #expect(followed.headers[.contentType] == "application/x-ndjson")
            let lines = String(buffer: followed.body).split(separator: "\n").map { try? Value(json: String($0)) }
            #expect(lines.contains { $0?["type"] == "node_progress" })
            #expect(lines.last??["type"] == "job_update")
            #expect(lines.last??["status"] == "completed")

            let sse = try await client.execute(uri: "/api/jobs/\(id)/events?follow=true", method: .get, headers: [.accept: "text/event-stream"])
            #expect(sse.headers[.contentType] == "text/event-stream")
            let events = String(buffer: sse.body).components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.allSatisfy { $0.hasPrefix("data: ") })
            #expect(events.count == lines.count)

            let streamed = try await client.execute(uri: "/api/workflows/run?stream=true", method: .post, body: body(["graph": addGraph, "params": ["x": 1]]))
            let last = String(buffer: streamed.body).split(separator: "\n").last.flatMap { try? Value(json: String($0)) }
            #expect(last?["result"] == ["sum": 2])
        }
    }

    @Test("cancel stops a running job; cancelling a finished job is a conflict")
    func cancel() async throws {
        try await withServer { client, _ in
            let id = try #require(try json(try await client.execute(uri: "/api/jobs", method: .post, body: body(["graph": waitGraph(seconds: 30)])))["job_id"]?.stringValue)
            // Wait until it runs.
            for _ in 0..<200 {
                if try json(try await client.execute(uri: "/api/jobs/\(id)", method: .get))["status"] == "running" { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            let clock = ContinuousClock()
            let start = clock.now
            #expect(try await client.execute(uri: "/api/jobs/\(id)/cancel", method: .post).status == .ok)
            #expect(try await finished(client, id)["status"] == "cancelled")
            #expect(clock.now - start < .seconds(2))
            #expect(try await client.execute(uri: "/api/jobs/\(id)/cancel", method: .post).status == .conflict)
        }
    }

    @Test("jobs beyond the limit wait queued, in order")
    func queueing() async throws {
        try await withServer(maxConcurrentJobs: 1) { client, _ in
            let first = try #require(try json(try await client.execute(uri: "/api/jobs", method: .post, body: body(["graph": waitGraph(seconds: 0.4)])))["job_id"]?.stringValue)
            let second = try #require(try json(try await client.execute(uri: "/api/jobs", method: .post, body: body(["graph": addGraph])))["job_id"]?.stringValue)
            try await Task.sleep(for: .milliseconds(100))
            #expect(try json(try await client.execute(uri: "/api/jobs/\(second)", method: .get))["status"] == "queued")
            #expect(try await finished(client, first)["status"] == "completed")
            #expect(try await finished(client, second)["status"] == "completed")
        }
    }

    @Test("bad requests: malformed JSON 400, invalid workflow 422 with the problems, too large 413, unknown job 404")
    func badRequests() async throws {
        try await withServer(maxBodySize: 4_096) { client, _ in
            let malformed = try await client.execute(uri: "/api/jobs", method: .post, body: ByteBuffer(string: "{\"graph\": [1,"))
            #expect(malformed.status == .badRequest)
            #expect(try json(malformed)["error"]?.stringValue?.contains("malformed JSON") == true)

            let invalid = try await client.execute(uri: "/api/jobs", method: .post, body: body(["graph": ["nodes": [["id": "a", "type": "nodetool.math.Ad"]], "edges": []]]))
            #expect(invalid.status == .unprocessableContent)
            #expect(try json(invalid)["problems"]?.listValue?.first?["kind"] == "unknownNodeType")

            #expect(try await client.execute(uri: "/api/jobs/nope", method: .get).status == .notFound)

            // Last: the server closes the connection after a 413 (the body may never end).
            let large = try await client.execute(uri: "/api/jobs", method: .post, body: ByteBuffer(string: String(repeating: " ", count: 10_000)))
            #expect(large.status == .contentTooLarge)
            #expect(large.headers[.connection] == "close")
        }
    }

    @Test("auth: tokens required but for /health; a user sees only their own jobs")
    func auth() async throws {
        try await withServer(tokens: ["alice-token": "alice", "bob-token": "bob"]) { client, _ in
            let alice: HTTPFields = [.authorization: "Bearer alice-token"]
            let bob: HTTPFields = [.authorization: "Bearer bob-token"]
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/api/jobs", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/api/jobs", method: .get, headers: [.authorization: "Bearer wrong"]).status == .unauthorized)
            let id = try #require(try json(try await client.execute(uri: "/api/jobs", method: .post, headers: alice, body: body(["graph": addGraph])))["job_id"]?.stringValue)
            #expect(try await finished(client, id, headers: alice)["status"] == "completed")
            #expect(try await client.execute(uri: "/api/jobs/\(id)", method: .get, headers: bob).status == .notFound)
            #expect(try await client.execute(uri: "/api/jobs/\(id)/cancel", method: .post, headers: bob).status == .notFound)
            #expect(try json(try await client.execute(uri: "/api/jobs", method: .get, headers: bob))["jobs"] == [])
        }
    }
}

@Suite("The page", .timeLimit(.minutes(1)))
struct PageTests {
    @Test("the page is served at / as plain HTML with its script, open even with auth")
    func page() async throws {
        try await withServer(tokens: ["t": "u"]) { client, _ in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            let html = String(buffer: response.body)
            #expect(html.contains("<title>Nodeflow</title>"))
            #expect(html.contains("new WebSocket"))
            // Served whole by the binary: no script, style or image from anywhere else.
            for outside in ["src=\"http", "href=\"http", "src=\"//", "href=\"//", "@import"] {
                #expect(!html.contains(outside), "the page loads something from outside: \(outside)")
            }
        }
    }
}
