import Foundation
import Nodeflow

extension JobRecord {
    /// How long the job ran, once it ended.
    public var duration: Double? {
        guard let started = startedAt, let finished = finishedAt else { return nil }
        return finished.timeIntervalSince(started)
    }

    /// The job as JSON (without its graph): id, status, workflow, user, timestamps, error, outputs,
    /// and where it runs (attempt, worker, host, process).
    public var summaryJSON: Value {
        func date(_ d: Date?) -> Value { d.map { .string($0.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))) } ?? .null }
        return [
            "id": .string(id), "status": .string(status.rawValue), "workflow_id": workflowID.map(Value.string) ?? .null,
            "workflow_name": workflowName.map(Value.string) ?? .null, "user_id": .string(userID),
            "created_at": date(createdAt), "started_at": date(startedAt), "finished_at": date(finishedAt),
            "duration": duration.map(Value.float) ?? .null, "error": error.map(Value.string) ?? .null,
            "error_node_id": errorNodeID.map(Value.string) ?? .null, "outputs": outputs.map(Value.dict) ?? .null,
            "attempt": .int(epoch), "worker": leaseOwner.map(Value.string) ?? .null, "host": host.map(Value.string) ?? .null,
            "process_id": processID.map { .int(Int($0)) } ?? .null, "required_labels": .list(requiredLabels.map(Value.string)),
        ]
    }
}

/// Each top-level node's last state and duration in a job, from its recorded messages.
public struct NodeTiming: Sendable, Equatable {
    public var nodeID: String
    public var status: String
    public var duration: Double?
    public var cached: Bool

    /// The nodes in the order they first appear in the messages (top-level nodes only).
    public static func from(_ events: [JobEvent]) -> [NodeTiming] {
        var order: [String] = []
        var nodes: [String: NodeTiming] = [:]
        for event in events {
            guard case .nodeUpdate(let update)? = try? ProcessingMessage(jsonValue: event.message), update.iterationPath.isEmpty else { continue }
            if nodes[update.nodeID] == nil { order.append(update.nodeID) }
            nodes[update.nodeID] = NodeTiming(nodeID: update.nodeID, status: update.status.rawValue, duration: update.duration, cached: update.cached == true)
        }
        return order.compactMap { nodes[$0] }
    }

    public var jsonValue: Value {
        ["node_id": .string(nodeID), "status": .string(status), "duration": duration.map(Value.float) ?? .null, "cached": .bool(cached)]
    }
}

extension JobRecord {
    /// The graph of a stored job from its deflated JSON (a workflow document or a bare graph).
    package static func storedGraph(deflated: [UInt8], size: Int, jobID: String) throws -> Graph {
        guard let bytes = Deflate.decompress(deflated, size: size) else { throw JobStoreError.corrupt("graph of job '\(jobID)'") }
        return bytes.isEmpty ? Graph() : try Workflow(jsonValue: try Value(jsonBytes: bytes)).graph
    }
}
