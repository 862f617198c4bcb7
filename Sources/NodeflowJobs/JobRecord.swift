import Foundation
import Nodeflow
import OrderedCollections

/// One job as the store keeps it: what ran, for whom, how it went, and what it produced.
public struct JobRecord: Sendable, Equatable {
    public var id: String
    public var workflowID: String?
    public var workflowName: String?
    /// The graph as run.
    public var graph: Graph
    public var params: OrderedDictionary<String, Value>
    public var userID: String
    public var status: JobStatus
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// What went wrong, for a failed job.
    public var error: String?
    /// The node that failed, when a node did.
    public var errorNodeID: String?
    /// The outputs, for a completed job.
    public var outputs: OrderedDictionary<String, Value>?
    /// The process running the job, while it runs.
    public var processID: Int32?
    /// The host of that process.
    public var host: String?
    /// Whether someone asked for the job to be cancelled.
    public var cancelRequested: Bool
    /// The labels a worker must have to claim the job (see ``WorkerIdentity/labels``).
    public var requiredLabels: [String] = []
    /// How many times the job started running; the current run's fencing token (``JobLease``).
    public var epoch = 0
    /// The worker holding the job's lease, while a worker runs it.
    public var leaseOwner: String?
    /// When that lease lapses unless renewed.
    public var leaseExpiresAt: Date?
    /// How many times the job's lease lapsed while it ran (its worker died or stalled).
    public var leaseLosses = 0
    /// The JSON text the graph was read from (a workflow document or a bare graph), when the
    /// caller has it: the store keeps it instead of writing the graph out again. It must read
    /// back as ``graph``. Not read back from the store (`nil` there).
    public var graphJSON: [UInt8]?

    public init(
        id: String, workflowID: String? = nil, workflowName: String? = nil, graph: Graph,
        params: OrderedDictionary<String, Value> = [:], userID: String = "1", status: JobStatus = .queued,
        createdAt: Date = Date()
    ) {
        self.id = id
        self.workflowID = workflowID
        self.workflowName = workflowName
        self.graph = graph
        self.params = params
        self.userID = userID
        self.status = status
        self.createdAt = createdAt
        self.cancelRequested = false
    }
}

extension JobRecord {
    /// The error of a job whose process ended without finishing it (see ``JobStore/failOrphans(host:crashed:isAlive:)``).
    public static let orphanError = "the process running the job ended without finishing it"

    /// The error of a job that was running when its process crashed (see ``CrashMarker``).
    public static let crashError =
        "the process crashed while running this job, which may be what crashed it; it is not resumed automatically: `nodeflow resume ID` runs it again"

    /// The error of a job failed as poison (see ``ClaimPolicy/poisonAfter``).
    public static func poisonError(leaseLosses: Int) -> String { poisonErrorParts.0 + String(leaseLosses) + poisonErrorParts.1 }

    /// The poison error around its count, for stores that write it in SQL.
    package static let poisonErrorParts = (
        "poison job: its worker died or stalled while running it ",
        " times, so it is not run again automatically; `nodeflow resume ID` runs it in the foreground"
    )
}

/// A node's recorded result: enough to skip the node when the job resumes.
public struct NodeResultRecord: Sendable, Equatable {
    public var nodeID: String
    public var outputs: NodeOutputs
    public var startedAt: Date?
    public var duration: Double?

    public init(nodeID: String, outputs: NodeOutputs, startedAt: Date? = nil, duration: Double? = nil) {
        self.nodeID = nodeID
        self.outputs = outputs
        self.startedAt = startedAt
        self.duration = duration
    }

    /// A result as the stores keep it apart from messages: its outputs as a JSON object.
    package init(stored json: String, nodeID: String, startedAt: Double?, duration: Double?, jobID: String) throws {
        guard case .dict(let slots) = try Value(json: json) else { throw JobStoreError.corrupt("node result of '\(nodeID)' in job '\(jobID)'") }
        self.init(nodeID: nodeID, outputs: NodeOutputs(slots: slots), startedAt: startedAt.map(Date.init(timeIntervalSince1970:)), duration: duration)
    }
}

/// One recorded message of a job, with its position in the job's sequence (from 1).
public struct JobEvent: Sendable, Equatable {
    public var sequence: Int
    /// The message as JSON, in nodetool's shape.
    public var message: Value
}
