import Foundation
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWSTesting
import HTTPTypes
import Nodeflow
import NodeflowServer
import Testing

/// Sends commands over one WebSocket connection and collects frames until `done` says so.
func webSocket(
    _ client: any TestClientProtocol, token: String? = nil, commands: [Value], maxFrameSize: Int = 1 << 14,
    until done: @escaping @Sendable ([Value]) -> Bool
) async throws -> [Value] {
    var configuration = WebSocketClientConfiguration()
    // A browser sends a message as one frame; a smaller size splits it into several.
    configuration.maxFrameSize = maxFrameSize
    if let token { configuration.additionalHeaders[.authorization] = "Bearer \(token)" }
    let collected = FramesBox()
    try await client.ws("/ws", configuration: configuration) { inbound, outbound, _ in
        for command in commands { try await outbound.write(.text(command.jsonString())) }
        for try await message in inbound.messages(maxSize: 1 << 20) {
            guard case .text(let text) = message, let frame = try? Value(json: text) else { continue }
            if collected.append(frame, until: done) { break }
        }
    }
    return collected.frames
}

/// Frames received, shared with the client's handler.
final class FramesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var all: [Value] = []

    func append(_ frame: Value, until done: ([Value]) -> Bool) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        all.append(frame)
        return done(all)
    }

    var frames: [Value] {
        lock.lock()
        defer { lock.unlock() }
        return all
    }
}

@Suite("WebSocket", .timeLimit(.minutes(1)))
struct WebSocketTests {
    @Test("run_job streams the job's messages; two jobs on one connection")
    func runJobs() async throws {
        try await withServer { client, _ in
            let frames = try await webSocket(client, commands: [
                ["command": "run_job", "data": ["graph": addGraph, "params": ["x": 1]]],
                ["command": "run_job", "data": ["graph": addGraph, "params": ["x": 10]]],
            ]) { frames in frames.filter { $0["type"] == "job_update" && $0["status"] == "completed" }.count == 2 }
            let created = frames.filter { $0["type"] == "job_created" }
            #expect(created.count == 2)
            let results = frames.filter { $0["type"] == "job_update" && $0["status"] == "completed" }.compactMap { $0["result"] }
            #expect(Set(results) == [["sum": 2], ["sum": 11]])
            #expect(frames.contains { $0["type"] == "node_update" && $0["node_id"] == "add" && $0["seq"] != nil })
        }
    }

    @Test("a message of several hundred KiB in one frame, as a browser sends it, is accepted")
    func largeFrame() async throws {
        try await withServer { client, _ in
            // A graph padded with a long comment: ~600 KiB of JSON in one frame.
            var graph = addGraph.dictValue ?? [:]
            var nodes = graph["nodes"]?.listValue ?? []
            nodes.append(["id": "note", "type": "nodetool.workflows.base_node.Comment", "data": ["headline": .string(String(repeating: "n", count: 600_000))]])
            graph["nodes"] = .list(nodes)
            let frames = try await webSocket(client, commands: [["command": "run_job", "data": ["graph": .dict(graph), "params": ["x": 4]]]], maxFrameSize: 1 << 20) {
                frames in frames.contains { $0["type"] == "job_update" && $0["status"] == "completed" }
            }
            #expect(frames.contains { $0["type"] == "job_update" && $0["result"] == ["sum": 5] })
        }
    }

    @Test("get_status, cancel_job, and reattach after reconnecting gets what was missed")
    func statusCancelReattach() async throws {
        try await withServer { client, _ in
            // Start a slow job and leave.
            let first = try await webSocket(client, commands: [["command": "run_job", "data": ["graph": waitGraph(seconds: 30)]]]) { frames in
                frames.contains { $0["type"] == "node_update" && $0["status"] == "running" }
            }
            let id = try #require(first.first { $0["type"] == "job_created" }?["job_id"]?.stringValue)
            let seen = first.compactMap { $0["seq"] }.count
            // Reconnect: status, reattach from what we saw, cancel, and see the end.
            let second = try await webSocket(client, commands: [
                ["command": "get_status", "data": ["job_id": .string(id)]],
                ["command": "reattach", "data": ["job_id": .string(id), "after": .int(seen)]],
                ["command": "cancel_job", "data": ["job_id": .string(id)]],
            ]) { frames in frames.contains { $0["type"] == "job_update" && $0["status"] == "cancelled" } }
            #expect(second.first { $0["type"] == "job_status" }?["status"] == "running")
            #expect(second.contains { $0["type"] == "cancel_requested" })
            #expect(second.compactMap { $0["seq"]?.doubleValue }.allSatisfy { $0 > Double(seen) })
            #expect(second.contains { $0["type"] == "node_update" && $0["status"] == "cancelled" })
        }
    }

    @Test("bad commands get an error frame; another user's job is not found")
    func errors() async throws {
        try await withServer(tokens: ["a": "alice", "b": "bob"]) { client, _ in
            let alice = try await webSocket(client, token: "a", commands: [
                ["command": "fly"],
                ["command": "run_job", "data": ["graph": ["nodes": [["id": "x", "type": "nodetool.math.Nope"]], "edges": []]]],
                ["command": "run_job", "data": ["graph": addGraph]],
            ]) { frames in frames.contains { $0["type"] == "job_update" && $0["status"] == "completed" } }
            #expect(alice.first?["error"]?.stringValue?.contains("unknown command 'fly'") == true)
            // An invalid workflow's error carries its problems, each naming its node, as the HTTP answer does.
            let invalid = try #require(alice.first { $0["status"] == 422 })
            let problems = try #require(invalid["problems"]?.listValue)
            #expect(problems.first?["node_id"] == "x")
            #expect(problems.first?["kind"] == "unknownNodeType")
            let id = try #require(alice.first { $0["type"] == "job_created" }?["job_id"]?.stringValue)
            let bob = try await webSocket(client, token: "b", commands: [["command": "get_status", "data": ["job_id": .string(id)]]]) { !$0.isEmpty }
            #expect(bob.first?["status"] == 404)
        }
    }
}
