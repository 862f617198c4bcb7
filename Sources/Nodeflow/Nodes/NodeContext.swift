import DequeModule
import OrderedCollections

/// What a node sees while it processes: its resolved inputs, its identity, and ways to report
/// progress and log lines.
public struct NodeContext: Sendable {
    /// The node as the graph declares it.
    public let node: NodeSpec
    /// The resolved property values: defaults, then the file's `data`, then values from edges.
    public let inputs: OrderedDictionary<String, Value>
    /// The run's context: its messages, cache and ids.
    public let processing: ProcessingContext
    /// The loop iterations this node runs in, outermost first (empty outside loops).
    public let iterationPath: [Int]
    /// The GPU slot the node holds while it processes, when it requires one.
    public let deviceSlot: Int?
    /// For a GroupInput node: the item of the current loop iteration.
    let groupItem: Value?

    init(
        node: NodeSpec, inputs: OrderedDictionary<String, Value>, processing: ProcessingContext,
        iterationPath: [Int], deviceSlot: Int? = nil, groupItem: Value? = nil
    ) {
        self.node = node
        self.inputs = inputs
        self.processing = processing
        self.iterationPath = iterationPath
        self.deviceSlot = deviceSlot
        self.groupItem = groupItem
    }

    /// The node's id.
    public var nodeID: String { node.id }

    /// The resolved value of a property, `.null` when it has none.
    public subscript(name: String) -> Value { inputs[name] ?? .null }

    /// The value of a property converted to a Swift type.
    /// - Throws: ``NodeInputError`` naming the node, the property and the value when it does not convert.
    public func input<T: ValueConvertible>(_ name: String, as type: T.Type = T.self) throws -> T {
        let value = inputs[name] ?? .null
        guard let converted = T(value: value) else {
            throw NodeInputError(nodeID: node.id, nodeType: node.type, property: name, value: value, expected: "\(T.self)")
        }
        return converted
    }

    /// Posts a `node_progress` message: `progress` of `total` steps done.
    public func reportProgress(_ progress: Int, of total: Int) {
        processing.post(.nodeProgress(NodeProgress(nodeID: node.id, progress: progress, total: total)))
    }

    /// Posts a `log_update` message from this node.
    public func log(_ content: String, severity: LogUpdate.Severity = .info) {
        processing.post(.logUpdate(LogUpdate(nodeID: node.id, nodeName: node.id, content: content, severity: severity)))
    }
}

/// A property whose value a node cannot use.
public struct NodeInputError: Error, Sendable, CustomStringConvertible {
    public var nodeID: String
    public var nodeType: String
    public var property: String
    public var value: Value
    /// What the node needed, e.g. `Int` or `a non-empty list`.
    public var expected: String

    public init(nodeID: String, nodeType: String, property: String, value: Value, expected: String) {
        self.nodeID = nodeID
        self.nodeType = nodeType
        self.property = property
        self.value = value
        self.expected = expected
    }

    public var description: String {
        var shown = value.jsonString()
        if shown.count > 80 { shown = String(shown.prefix(77)) + "..." }
        return "node '\(nodeID)' (\(nodeType)): property '\(property)' needs \(expected), got \(value.kindName) \(shown)"
    }
}
