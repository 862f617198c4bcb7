/// What a node type declares about itself: its name, documentation, properties, outputs and
/// how the runner must treat it.
///
/// ```swift
/// static let metadata = NodeMetadata(
///     type: "example.Greet",
///     title: "Greet",
///     description: "Says hello to someone.",
///     properties: [.init("name", .string, default: "World", description: "Who to greet.")],
///     outputs: [.init("output", .string)]
/// )
/// ```
public struct NodeMetadata: Sendable {
    /// The type name used in workflow files, e.g. `nodetool.math.Add`.
    public var type: String
    public var title: String
    /// One or two sentences on what the node does.
    public var description: String
    public var properties: [PropertyDescriptor]
    /// The output slots; most nodes have one, named `output`.
    public var outputs: [OutputDescriptor]
    /// Whether results may be cached and reused; false for inputs, outputs and groups.
    public var isCacheable: Bool
    /// What part the node plays for the runner.
    public var role: NodeRole
    /// Resources the node must hold while it processes, e.g. a GPU slot.
    public var requiredResources: Set<Resource>
    /// How often to try again after an error, and how long to wait in between.
    public var retryPolicy: RetryPolicy?
    /// The longest one attempt of `process` may take.
    public var timeout: Duration?
    /// Whether the runner may call `process` directly in its scheduling loop (cheap, non-blocking
    /// nodes such as arithmetic) rather than in a child task of its own.
    public var runsInline: Bool
    /// Whether the node takes properties it does not declare (nodetool's dynamic nodes, e.g.
    /// `FormatText`): edges into any property name, and the file's `dynamic_properties`, reach it
    /// as inputs of any type.
    public var isDynamic: Bool
    /// Whether the node has outputs it does not declare (nodetool's agents and code nodes): the
    /// file's `dynamic_outputs` names them, and edges from those names carry what the node emits.
    public var supportsDynamicOutputs: Bool

    public init(
        type: String,
        title: String? = nil,
        description: String = "",
        properties: [PropertyDescriptor] = [],
        outputs: [OutputDescriptor] = [OutputDescriptor("output", .any)],
        isCacheable: Bool = true,
        role: NodeRole = .regular,
        requiredResources: Set<Resource> = [],
        retryPolicy: RetryPolicy? = nil,
        timeout: Duration? = nil,
        runsInline: Bool = false,
        isDynamic: Bool = false,
        supportsDynamicOutputs: Bool = false
    ) {
        self.type = type
        self.title = title ?? String(type.split(separator: ".").last ?? Substring(type))
        self.description = description
        self.properties = properties
        self.outputs = outputs
        self.isCacheable = isCacheable
        self.role = role
        self.requiredResources = requiredResources
        self.retryPolicy = retryPolicy
        self.timeout = timeout
        self.runsInline = runsInline
        self.isDynamic = isDynamic
        self.supportsDynamicOutputs = supportsDynamicOutputs
    }

    /// The property with this name, if declared.
    public func property(named name: String) -> PropertyDescriptor? {
        properties.first { $0.name == name }
    }

    /// The output slot with this name, if declared.
    public func output(named name: String) -> OutputDescriptor? {
        outputs.first { $0.name == name }
    }
}

/// A declared node property: its name, type, default and documentation.
public struct PropertyDescriptor: Sendable {
    public var name: String
    public var type: PropertyType
    /// The value used when neither the file nor an edge sets one; `nil` makes the property required.
    public var defaultValue: Value?
    public var description: String
    /// For a number: the values it may take (NaN is outside every range). Validation checks the
    /// file's values against it; ``NodeContext/input(_:in:)`` checks values from edges.
    public var bounds: ClosedRange<Double>?

    /// Declares a property.
    /// - Parameters:
    ///   - default: the default value; leave it out to make the property required.
    ///   - bounds: for a number, the values it may take.
    public init(_ name: String, _ type: PropertyType, default defaultValue: Value? = nil, description: String = "", bounds: ClosedRange<Double>? = nil) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.description = description
        self.bounds = bounds
    }

    /// Whether `value` lies outside ``bounds`` (non-numbers are never out of bounds).
    public func isOutOfBounds(_ value: Value) -> Bool {
        guard let bounds, let d = value.doubleValue else { return false }
        return !bounds.contains(d)
    }

    /// Whether a workflow must give this property a value (in `data` or through an edge).
    public var isRequired: Bool { defaultValue == nil }
}

/// A declared output slot.
public struct OutputDescriptor: Sendable {
    public var name: String
    public var type: PropertyType

    public init(_ name: String, _ type: PropertyType) {
        self.name = name
        self.type = type
    }
}

/// The part a node plays for the runner.
public enum NodeRole: String, Sendable, Hashable {
    /// An ordinary computation.
    case regular
    /// A workflow input: request params set its `value`, by its `name`.
    case input
    /// A workflow output: its `value` becomes the job's result under its `name`.
    case output
    /// A Loop: runs its child nodes once per item of its `input`.
    case loop
    /// Inside a Loop, the node that yields the current item.
    case groupInput
    /// Inside a Loop, the node whose `input` is collected per item.
    case groupOutput
    /// A frame around nodes in the editor (`nodetool.workflows.base_node.Group`): nodes whose
    /// `parent_id` names it belong to the scope the frame itself is in.
    case frame
}

/// A resource a node must hold while it processes.
public enum Resource: String, Sendable, Hashable, CaseIterable {
    /// One slot of the GPU pool.
    case gpu
}
