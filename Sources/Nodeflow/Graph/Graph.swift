import DequeModule
import OrderedCollections

/// A workflow graph as nodetool writes it: nodes, and edges from an output slot of one node to a
/// property of another.
///
/// A graph is plain data; ``GraphValidator`` checks it against a ``NodeRegistry`` and the
/// ``WorkflowRunner`` runs it.
public struct Graph: Sendable, Hashable {
    /// The nodes, in file order.
    public var nodes: [NodeSpec]
    /// The edges, in file order; when two edges feed one property, the later one wins.
    public var edges: [EdgeSpec]
    /// Keys of the graph object other than `nodes` and `edges`, kept so that writing the graph
    /// back out loses nothing.
    public var otherFields: OrderedDictionary<String, Value>

    public init(nodes: [NodeSpec] = [], edges: [EdgeSpec] = [], otherFields: OrderedDictionary<String, Value> = [:]) {
        self.nodes = nodes
        self.edges = edges
        self.otherFields = otherFields
    }
}

/// One node of a graph: its id, its type name and its property values.
public struct NodeSpec: Sendable, Hashable {
    /// The node's id, unique in its graph.
    public var id: String
    /// The node type's name, e.g. `nodetool.math.Add`.
    public var type: String
    /// Property values set in the file (`data`).
    public var data: OrderedDictionary<String, Value>
    /// The id of the group (e.g. a Loop) that contains this node, if any.
    public var parentID: String?
    /// Every other key of the node object (`ui_properties` and unknown keys), kept as read.
    public var otherFields: OrderedDictionary<String, Value>

    public init(
        id: String, type: String, data: OrderedDictionary<String, Value> = [:], parentID: String? = nil,
        otherFields: OrderedDictionary<String, Value> = [:]
    ) {
        self.id = id
        self.type = type
        self.data = data
        self.parentID = parentID
        self.otherFields = otherFields
    }
}

/// One edge: the value of `source`'s output slot `sourceHandle` flows into `target`'s
/// property `targetHandle`.
public struct EdgeSpec: Sendable, Hashable {
    /// The edge's id, if the file gives one.
    public var id: String?
    public var source: String
    /// The output slot, usually `output`.
    public var sourceHandle: String
    public var target: String
    /// The target property's name.
    public var targetHandle: String
    /// Every other key of the edge object (`ui_properties` and unknown keys), kept as read.
    public var otherFields: OrderedDictionary<String, Value>

    public init(
        id: String? = nil, source: String, sourceHandle: String = "output", target: String, targetHandle: String,
        otherFields: OrderedDictionary<String, Value> = [:]
    ) {
        self.id = id
        self.source = source
        self.sourceHandle = sourceHandle
        self.target = target
        self.targetHandle = targetHandle
        self.otherFields = otherFields
    }

    /// How messages name the edge: its id, or `source.slot -> target.property`.
    public var label: String {
        let route = "\(source).\(sourceHandle) -> \(target).\(targetHandle)"
        if let id { return "'\(id)' (\(route))" }
        return route
    }
}

extension Graph {
    /// The nodes' topological levels as nodetool's `Graph.topological_sort` computes them: Kahn's
    /// algorithm over the nodes whose `parent_id` is `parentID`, level by level, in file order.
    ///
    /// Edges 1→2, 1→3, 2→4, 2→5, 3→6, 3→7, 4→5, 6→7 give `[["1"], ["2", "3"], ["4", "6"], ["5", "7"]]`.
    /// Nodes on a cycle are left out, as in nodetool; ``GraphValidator`` reports cycles.
    /// Runs in time linear in the number of nodes and edges.
    public func topologicalLevels(parentID: String? = nil) -> [[String]] {
        var position: [String: Int] = [:]
        var members: [Int] = []
        for (i, node) in nodes.enumerated() where node.parentID == parentID && position[node.id] == nil {
            position[node.id] = members.count
            members.append(i)
        }
        var indegree = [Int](repeating: 0, count: members.count)
        var outgoing = [[Int]](repeating: [], count: members.count)
        for edge in edges {
            guard let s = position[edge.source], let t = position[edge.target] else { continue }
            outgoing[s].append(t)
            indegree[t] += 1
        }
        var queue = Deque((0..<members.count).filter { indegree[$0] == 0 })
        var levels: [[String]] = []
        while !queue.isEmpty {
            var level: [String] = []
            for _ in 0..<queue.count {
                let n = queue.removeFirst()
                level.append(nodes[members[n]].id)
                for t in outgoing[n] {
                    indegree[t] -= 1
                    if indegree[t] == 0 { queue.append(t) }
                }
            }
            levels.append(level)
        }
        return levels
    }
}
