/// `nodetool.group.Loop`: runs its child nodes (those whose `parent_id` is the loop's id) once per
/// item of `input`, and outputs the list of what reached its GroupOutput, in item order.
///
/// The runner implements the loop itself (see ``WorkflowRunner``); this type declares it.
public struct LoopNode: Node {
    public static let metadata = NodeMetadata(
        type: "nodetool.group.Loop",
        title: "Loop",
        description: "Runs the nodes inside the group once per item of the input list (or dict entry, or dataframe row) and collects the results.",
        properties: [
            PropertyDescriptor(
                "input", .any, default: .list([]),
                description: "The items: a list, a dict (iterated as {key, value} items) or a dataframe (rows as dicts).")
        ],
        outputs: [OutputDescriptor("output", .list(.any))],
        isCacheable: false,
        role: .loop
    )

    public init() {}

    public func process(_ context: NodeContext) async throws -> NodeOutputs {
        // Never called: the runner runs loop bodies itself.
        throw NodeInputError(nodeID: context.nodeID, nodeType: Self.metadata.type, property: "input", value: .null, expected: "a runner that supports loops")
    }
}

/// `nodetool.input.GroupInput`: inside a Loop, outputs the current item.
public struct GroupInputNode: Node {
    public static let metadata = NodeMetadata(
        type: "nodetool.input.GroupInput",
        title: "Group Input",
        description: "Inside a Loop, outputs the item of the current iteration.",
        outputs: [OutputDescriptor("output", .any)],
        isCacheable: false,
        role: .groupInput,
        runsInline: true
    )

    public init() {}

    public func process(_ context: NodeContext) async throws -> NodeOutputs {
        NodeOutputs(context.groupItem ?? .null)
    }
}

/// `nodetool.output.GroupOutput`: inside a Loop, the value of `input` is collected for each item.
public struct GroupOutputNode: Node {
    public static let metadata = NodeMetadata(
        type: "nodetool.output.GroupOutput",
        title: "Group Output",
        description: "Inside a Loop, collects the value of its input for each item.",
        properties: [PropertyDescriptor("input", .any, default: .null, description: "The value to collect.")],
        outputs: [OutputDescriptor("output", .any)],
        isCacheable: false,
        role: .groupOutput,
        runsInline: true
    )

    public init() {}

    public func process(_ context: NodeContext) async throws -> NodeOutputs {
        NodeOutputs(context["input"])
    }
}
