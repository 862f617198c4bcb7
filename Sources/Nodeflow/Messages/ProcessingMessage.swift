import DequeModule
import OrderedCollections
import Foundation

/// A message a run posts while it goes on, JSON-encoded with nodetool's `type` and field names.
///
/// A run posts, in order: `job_update` `running`; for each node `node_update` `running`, any
/// `node_progress`, then `completed`, `error` or `cancelled`; and exactly one final `job_update`
/// (`completed` with the outputs, `failed` with the error, or `cancelled`).
public enum ProcessingMessage: Sendable, Hashable {
    case jobUpdate(JobUpdate)
    case nodeUpdate(NodeUpdate)
    case nodeProgress(NodeProgress)
    case logUpdate(LogUpdate)
    case outputUpdate(OutputUpdate)
    case error(ErrorMessage)

    /// The message's `type` field: `job_update`, `node_update`, `node_progress`, `log_update` or `error`.
    public var type: String {
        switch self {
        case .jobUpdate: "job_update"
        case .nodeUpdate: "node_update"
        case .nodeProgress: "node_progress"
        case .logUpdate: "log_update"
        case .outputUpdate: "output_update"
        case .error: "error"
        }
    }

    /// The message as a JSON object.
    public var jsonValue: Value {
        switch self {
        case .jobUpdate(let m): m.jsonValue
        case .nodeUpdate(let m): m.jsonValue
        case .nodeProgress(let m): m.jsonValue
        case .logUpdate(let m): m.jsonValue
        case .outputUpdate(let m): m.jsonValue
        case .error(let m): m.jsonValue
        }
    }

    /// The message as one line of JSON.
    public func jsonString() -> String { jsonValue.jsonString() }
}

/// The state of a job as messages report it.
public enum JobStatus: String, Sendable, Hashable, Codable {
    case queued, running, completed, failed, cancelled
}

/// The state of a node as messages report it.
public enum NodeStatus: String, Sendable, Hashable, Codable {
    /// Waiting for a resource (a GPU slot).
    case waiting
    case running
    case completed
    case error
    case cancelled
}

/// `job_update`: the job's status; the final one carries the outputs or the error.
public struct JobUpdate: Sendable, Hashable {
    public var jobID: String
    public var status: JobStatus
    /// The outputs by output node name, on `completed`.
    public var result: OrderedDictionary<String, Value>?
    /// What went wrong, on `failed`.
    public var error: String?
    /// The node that failed, on `failed` because of a node.
    public var failedNodeID: String?
    public var message: String?

    public init(
        jobID: String, status: JobStatus, result: OrderedDictionary<String, Value>? = nil, error: String? = nil,
        failedNodeID: String? = nil, message: String? = nil
    ) {
        self.jobID = jobID
        self.status = status
        self.result = result
        self.error = error
        self.failedNodeID = failedNodeID
        self.message = message
    }

    public var jsonValue: Value {
        var object: OrderedDictionary<String, Value> = [
            "type": "job_update",
            "status": .string(status.rawValue),
            "job_id": .string(jobID),
            "message": message.map(Value.string) ?? .null,
            "result": result.map(Value.dict) ?? .null,
            "error": error.map(Value.string) ?? .null,
        ]
        if let failedNodeID { object["node_id"] = .string(failedNodeID) }
        return .dict(object)
    }
}

/// `node_update`: a node changed state.
public struct NodeUpdate: Sendable, Hashable {
    public var nodeID: String
    /// The node's title.
    public var nodeName: String
    public var nodeType: String
    public var status: NodeStatus
    public var error: String?
    /// The node's outputs, on `completed`.
    public var result: NodeOutputs?
    /// The values the node received through edges, on `running`, in edge order.
    public var edgeValues: [NamedValue]?

    /// The values the node received through edges, on `running` (the later of two edges into
    /// one property wins).
    public var properties: OrderedDictionary<String, Value>? {
        get { edgeValues.map { NodeInputs(base: [:], fromEdges: $0).edgeValues } }
        set { edgeValues = newValue.map { $0.map { NamedValue(name: $0.key, value: $0.value) } } }
    }
    /// When the node started processing (seconds since 1970), on `completed`, `error` and `cancelled`.
    public var startedAt: Double?
    /// How long the node took, in seconds, on `completed`, `error` and `cancelled`.
    public var duration: Double?
    /// Whether the result came from the cache, on `completed`.
    public var cached: Bool?
    /// The loop iterations the node ran in, outermost first; empty outside loops.
    public var iterationPath: [Int]

    public init(
        nodeID: String, nodeName: String, nodeType: String, status: NodeStatus, error: String? = nil,
        result: NodeOutputs? = nil, properties: OrderedDictionary<String, Value>? = nil, startedAt: Double? = nil,
        duration: Double? = nil, cached: Bool? = nil, iterationPath: [Int] = []
    ) {
        self.nodeID = nodeID
        self.nodeName = nodeName
        self.nodeType = nodeType
        self.status = status
        self.error = error
        self.result = result
        self.edgeValues = properties.map { $0.map { NamedValue(name: $0.key, value: $0.value) } }
        self.startedAt = startedAt
        self.duration = duration
        self.cached = cached
        self.iterationPath = iterationPath
    }

    public var jsonValue: Value {
        var object: OrderedDictionary<String, Value> = [
            "type": "node_update",
            "node_id": .string(nodeID),
            "node_name": .string(nodeName),
            "node_type": .string(nodeType),
            "status": .string(status.rawValue),
            "error": error.map(Value.string) ?? .null,
            "logs": .null,
            "result": result?.jsonValue ?? .null,
            "properties": properties.map(Value.dict) ?? .null,
        ]
        if let startedAt {
            let date = Date(timeIntervalSince1970: startedAt)
            object["started_at"] = .string(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        if let duration { object["duration"] = .float(duration) }
        if let cached { object["cached"] = .bool(cached) }
        if !iterationPath.isEmpty { object["iteration"] = .list(iterationPath.map(Value.int)) }
        return .dict(object)
    }
}

/// `node_progress`: a node reports how far it is.
public struct NodeProgress: Sendable, Hashable {
    public var nodeID: String
    public var progress: Int
    public var total: Int

    public init(nodeID: String, progress: Int, total: Int) {
        self.nodeID = nodeID
        self.progress = progress
        self.total = total
    }

    public var jsonValue: Value {
        ["type": "node_progress", "node_id": .string(nodeID), "progress": .int(progress), "total": .int(total)]
    }
}

/// `log_update`: a line of log from a node.
public struct LogUpdate: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable { case info, warning, error }

    public var nodeID: String
    public var nodeName: String
    public var content: String
    public var severity: Severity

    public init(nodeID: String, nodeName: String, content: String, severity: Severity = .info) {
        self.nodeID = nodeID
        self.nodeName = nodeName
        self.content = content
        self.severity = severity
    }

    public var jsonValue: Value {
        [
            "type": "log_update", "node_id": .string(nodeID), "node_name": .string(nodeName),
            "content": .string(content), "severity": .string(severity.rawValue),
        ]
    }
}

/// `output_update`: a value an output node (`nodetool.output.Output`) received, one message per
/// value as it arrives.
public struct OutputUpdate: Sendable, Hashable {
    public var nodeID: String
    /// The output's name (its `name` property).
    public var outputName: String
    public var value: Value
    /// nodetool's name of the value's type: `int`, `float`, `str`, `bool`, `list`, `dict`,
    /// `bytes`, `none`, or an asset's `type`.
    public var outputType: String

    public init(nodeID: String, outputName: String, value: Value) {
        self.nodeID = nodeID
        self.outputName = outputName
        self.value = value
        switch value {
        case .null: outputType = "none"
        case .bool: outputType = "bool"
        case .int: outputType = "int"
        case .float: outputType = "float"
        case .string: outputType = "str"
        case .bytes: outputType = "bytes"
        case .list: outputType = "list"
        case .dict(let d): outputType = d["type"]?.stringValue ?? "dict"
        }
    }

    public var jsonValue: Value {
        [
            "type": "output_update", "node_id": .string(nodeID), "node_name": .string(outputName),
            "output_name": .string(outputName), "value": value, "output_type": .string(outputType), "metadata": [:],
        ]
    }
}

/// `error`: a problem that belongs to no node.
public struct ErrorMessage: Sendable, Hashable {
    public var error: String

    public init(error: String) { self.error = error }

    public var jsonValue: Value { ["type": "error", "error": .string(error)] }
}
