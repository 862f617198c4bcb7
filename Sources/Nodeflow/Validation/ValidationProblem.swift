/// One thing wrong with a graph, naming the node, edge or property it concerns.
public struct ValidationProblem: Sendable, Hashable, CustomStringConvertible {
    /// The kinds of problem validation finds.
    public enum Kind: String, Sendable, Hashable {
        case duplicateNodeID
        case unknownNodeType
        case missingEdgeEndpoint
        case unknownOutputSlot
        case unknownProperty
        case incompatibleEdgeType
        case invalidPropertyValue
        case cycle
        case missingRequiredInput
        case loopWithoutGroupInput
        case invalidParent
        case edgeLeavesGroup
        case resourceUnavailable
        case unknownParam
        case invalidParam
        /// An edge of a kind Nodeflow does not run (nodetool's control edges).
        case unsupportedEdge
    }

    public var kind: Kind
    /// The node concerned, if any.
    public var nodeID: String?
    /// The edge concerned (its id or route), if any.
    public var edge: String?
    /// The property concerned, if any.
    public var property: String?
    /// A sentence saying what is wrong, and where it helps, what to do.
    public var message: String

    public init(kind: Kind, nodeID: String? = nil, edge: String? = nil, property: String? = nil, message: String) {
        self.kind = kind
        self.nodeID = nodeID
        self.edge = edge
        self.property = property
        self.message = message
    }

    public var description: String { message }

    /// The problem as a JSON object, for tools and APIs.
    public var jsonValue: Value {
        [
            "kind": .string(kind.rawValue),
            "node_id": nodeID.map(Value.string) ?? .null,
            "edge": edge.map(Value.string) ?? .null,
            "property": property.map(Value.string) ?? .null,
            "message": .string(message),
        ]
    }
}

/// A graph that cannot run, with every problem found.
public struct GraphValidationError: Error, Sendable, CustomStringConvertible {
    public var problems: [ValidationProblem]

    public init(problems: [ValidationProblem]) {
        self.problems = problems
    }

    public var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return "the workflow is invalid (\(count)):\n" + problems.map { "  - \($0.message)" }.joined(separator: "\n")
    }
}
