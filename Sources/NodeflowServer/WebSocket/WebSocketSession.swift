import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Nodeflow
import NodeflowJobs
import OrderedCollections

/// nodetool's WebSocket protocol at `/ws`: JSON commands `run_job` (data: a RunJobRequest),
/// `cancel_job` and `get_status` (data: `{"job_id"}`), and `reattach` (data: `{"job_id", "after"}`)
/// for a client that reconnects; the server sends each job's messages as JSON text frames, the
/// same shapes as `nodeflow run --jsonl`. Several jobs may run on one connection.
struct WebSocketSession: Sendable {
    let routes: JobRoutes
    let userID: String
    /// The largest message accepted, reassembled from its frames.
    var maxMessageSize = 16 << 20

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        // One writer, so frames from several jobs never interleave mid-frame.
        let (frames, send) = AsyncStream.makeStream(of: Value.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in frames { try await outbound.write(.text(frame.jsonString())) }
            }
            for try await message in inbound.messages(maxSize: maxMessageSize) {
                guard case .text(let text) = message else { continue }
                do {
                    let command = try Value(json: text)
                    let data = command["data"] ?? [:]
                    switch command["command"]?.stringValue {
                    case "run_job":
                        let job = try await routes.createJob(data, userID: userID)
                        send.yield(["type": "job_created", "job_id": .string(job.id), "status": .string(job.status.rawValue)])
                        group.addTask { try await follow(job.id, after: 0, send: send) }
                    case "reattach":
                        let job = try await routes.ownJob(try jobID(data), userID: userID)
                        let after = data["after"].flatMap(Int.init(value:)) ?? 0
                        group.addTask { try await follow(job.id, after: after, send: send) }
                    case "cancel_job":
                        let job = try await routes.ownJob(try jobID(data), userID: userID)
                        try await routes.cancel(job)
                        send.yield(["type": "cancel_requested", "job_id": .string(job.id)])
                    case "get_status":
                        let job = try await routes.ownJob(try jobID(data), userID: userID)
                        var status = job.summaryJSON.dictValue ?? [:]
                        status["type"] = "job_status"
                        send.yield(.dict(status))
                    case let other:
                        send.yield(["type": "error", "error": .string("unknown command \(other.map { "'\($0)'" } ?? "(none)"); use run_job, cancel_job, get_status or reattach")])
                    }
                } catch let error as APIError {
                    // With the details a response would carry (an invalid workflow's problems).
                    var message: OrderedDictionary<String, Value> = ["type": "error", "error": .string(error.message), "status": .int(error.status.code)]
                    for (key, value) in error.details.sorted(by: { $0.key < $1.key }) { message[key] = value }
                    send.yield(.dict(message))
                } catch {
                    send.yield(["type": "error", "error": .string("\(error)")])
                }
            }
            // The client closed: stop following; the jobs go on.
            send.finish()
            group.cancelAll()
        }
    }

    private func jobID(_ data: Value) throws -> String {
        guard let id = data["job_id"]?.stringValue else { throw APIError(status: .badRequest, message: "the command needs data.job_id") }
        return id
    }

    /// Sends a job's messages (each with its `seq`, for reattaching) until the job ends.
    private func follow(_ jobID: String, after: Int, send: AsyncStream<Value>.Continuation) async throws {
        try await routes.store.followEvents(of: jobID, after: after) { event in
            var message = event.message.dictValue ?? [:]
            message["seq"] = .int(event.sequence)
            send.yield(.dict(message))
        }
    }
}
