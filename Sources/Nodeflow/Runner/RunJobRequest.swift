import DequeModule
import OrderedCollections

/// What to run: a graph, the params for its input nodes, and the job's ids — nodetool's
/// `RunJobRequest`.
public struct RunJobRequest: Sendable {
    public var graph: Graph
    /// Values for input nodes, by the input node's `name`; each sets that node's `value`.
    public var params: OrderedDictionary<String, Value>
    public var jobID: String?
    public var workflowID: String?
    public var userID: String
    public var authToken: String?
    /// Results of top-level nodes from an earlier, interrupted run of the same job, by node id:
    /// these nodes are not run again (their `node_update` says `cached`).
    public var completedResults: [String: NodeOutputs] = [:]
    /// Results of nodes inside top-level Loops from an earlier run, by node id, then iteration:
    /// an iteration whose every body node completed is not run again; its collected value is
    /// taken from its GroupOutput.
    public var completedIterations: [String: [Int: NodeOutputs]] = [:]
    /// Every other key of a request read from JSON, kept as read.
    public var otherFields: OrderedDictionary<String, Value>

    public init(
        graph: Graph, params: OrderedDictionary<String, Value> = [:], jobID: String? = nil, workflowID: String? = nil,
        userID: String = "1", authToken: String? = nil
    ) {
        self.graph = graph
        self.params = params
        self.jobID = jobID
        self.workflowID = workflowID
        self.userID = userID
        self.authToken = authToken
        self.otherFields = [:]
    }

    /// Reads a request in nodetool's JSON shape (`graph`, `params`, `workflow_id`, `user_id`, `auth_token`, ...).
    public init(jsonValue: Value) throws {
        guard case .dict(let object) = jsonValue else {
            throw WorkflowFormatError(path: "", reason: "expected a request object, found \(jsonValue.kindName)")
        }
        guard let graph = object["graph"] else {
            throw WorkflowFormatError(path: "", reason: "a run request needs a \"graph\"")
        }
        self.graph = try Graph(jsonValue: graph, path: "graph")
        switch object["params"] {
        case nil, .null?: params = [:]
        case .dict(let d)?: params = d
        case let other?: throw WorkflowFormatError(path: "params", reason: "expected an object, found \(other.kindName)")
        }
        jobID = object["job_id"]?.stringValue
        workflowID = object["workflow_id"]?.stringValue
        userID = object["user_id"]?.stringValue ?? "1"
        authToken = object["auth_token"]?.stringValue
        otherFields = object
    }
}
