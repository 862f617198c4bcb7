import DequeModule
import OrderedCollections

/// What a node sees while it processes: its resolved inputs, its identity, and ways to report
/// progress and log lines.
public struct NodeContext: Sendable {
    /// The graph's nodes, and this node's position among them.
    private let nodes: [NodeSpec]
    private let position: Int
    /// The resolved property values: defaults, then the file's `data`, then values from edges.
    public let inputs: NodeInputs
    /// The run's context: its messages, cache and ids.
    public let processing: ProcessingContext
    /// The loop iterations this node runs in, outermost first (empty outside loops).
    public let iterationPath: [Int]
    /// The GPU slot the node holds while it processes, when it requires one.
    public let deviceSlot: Int?
    /// For a GroupInput node: the item of the current loop iteration.
    let groupItem: Value?

    init(
        nodes: [NodeSpec], position: Int, inputs: NodeInputs, processing: ProcessingContext,
        iterationPath: [Int], deviceSlot: Int? = nil, groupItem: Value? = nil
    ) {
        self.nodes = nodes
        self.position = position
        self.inputs = inputs
        self.processing = processing
        self.iterationPath = iterationPath
        self.deviceSlot = deviceSlot
        self.groupItem = groupItem
    }

    /// The node as the graph declares it.
    public var node: NodeSpec { nodes[position] }

    /// The node's id.
    public var nodeID: String { nodes[position].id }

    /// A copy of this context holding a device slot.
    func onDevice(_ slot: Int) -> NodeContext {
        NodeContext(nodes: nodes, position: position, inputs: inputs, processing: processing, iterationPath: iterationPath, deviceSlot: slot, groupItem: groupItem)
    }

    /// Records a value an output node received: posts its `output_update` and adds it to the
    /// job's result under `name` (unless equal to the last value recorded there, or `None`).
    /// - Throws: ``ValueLimitError`` when the name already holds the run's most list items.
    public func recordOutput(_ value: Value, name: String) throws {
        processing.post(.outputUpdate(OutputUpdate(nodeID: nodeID, outputName: name, value: value)))
        guard processing.recordedOutputs.record(value, name: name, limit: processing.limits.maxListCount) else {
            try checkCount(processing.limits.maxListCount + 1, of: "the values recorded for output '\(name)'")
            return
        }
    }

    /// The resolved value of a property, `.null` when it has none.
    public subscript(name: String) -> Value { inputs[name] ?? .null }

    /// The value of a property converted to a Swift type.
    /// - Throws: ``NodeInputError`` naming the node, the property and the value when it does not convert.
    public func input<T: ValueConvertible>(_ name: String, as type: T.Type = T.self) throws -> T {
        let value = inputs[name] ?? .null
        guard let converted = T(value: value) else {
            throw NodeInputError(nodeID: nodeID, nodeType: nodes[position].type, property: name, value: value, expected: "\(T.self)")
        }
        return converted
    }

    /// A number property that must lie in `range` (a duration, a size, a count).
    /// - Throws: ``NodeInputError`` when the value is not a number or lies outside `range`
    ///   (NaN lies outside every range).
    public func input<T: ValueConvertible & Comparable>(_ name: String, in range: ClosedRange<T>) throws -> T {
        let number: T = try input(name)
        guard range.contains(number) else {
            throw NodeInputError(nodeID: nodeID, nodeType: nodes[position].type, property: name, value: inputs[name] ?? .null, expected: "a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// Whether the node should stop: its task was cancelled or the run was asked to stop (which
    /// this sees at once, before the cancellation reaches the task).
    public var isCancelled: Bool { Task.isCancelled || processing.cancellation.isSet }

    /// Throws `CancellationError` when ``isCancelled``; call it in loops that may run long.
    public func checkCancellation() throws {
        if isCancelled { throw CancellationError() }
    }

    /// Posts a `node_progress` message: `progress` of `total` steps done.
    public func reportProgress(_ progress: Int, of total: Int) {
        processing.post(.nodeProgress(NodeProgress(nodeID: nodeID, progress: progress, total: total)))
    }

    /// Posts a `log_update` message from this node.
    public func log(_ content: String, severity: LogUpdate.Severity = .info) {
        processing.post(.logUpdate(LogUpdate(nodeID: nodeID, nodeName: nodeID, content: content, severity: severity)))
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
        var shown: String
        switch value {
        case .float(let d) where !d.isFinite: shown = d.isNaN ? "NaN" : d < 0 ? "-Infinity" : "Infinity"
        case .string(let s) where s.utf8.count > 200: shown = Value.string(String(s.prefix(80))).jsonString()
        case .list(let l) where l.count > 20: shown = Value.list(Array(l.prefix(20))).jsonString()
        default: shown = value.jsonString()
        }
        if shown.count > 80 { shown = String(shown.prefix(77)) + "..." }
        return "node '\(nodeID)' (\(nodeType)): property '\(property)' needs \(expected), got \(value.kindName) \(shown)"
    }
}
