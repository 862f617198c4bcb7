import Nodeflow

/// nodetool's `nodetool.workflows.base_node.*` helpers found in many example workflows.
enum WorkflowNodes {
    static let all: [any Node.Type] = [Preview.self, Comment.self, Wait.self, Group.self]
}

/// Passes its value through; clients show it from the `node_update` message.
struct Preview: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.workflows.base_node.Preview", title: "Preview", description: "Shows a value while the workflow runs and passes it on.",
        properties: [
            PropertyDescriptor("value", .any, default: .null, description: "The value to show."),
            PropertyDescriptor("name", .string, default: "", description: "A name for the preview."),
        ],
        outputs: [OutputDescriptor("output", .any)], isCacheable: false, runsInline: true)
    func process(_ context: NodeContext) async throws -> NodeOutputs { NodeOutputs(context["value"]) }
}

/// A note on the canvas; does nothing.
struct Comment: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.workflows.base_node.Comment", title: "Comment", description: "A note in the workflow; it does nothing.",
        properties: [
            PropertyDescriptor("headline", .string, default: "", description: "The headline."),
            // 0.5.3 saves a list of blocks; today's nodetool a string or a rich-text document (a dict).
            PropertyDescriptor("comment", .any, default: [""], description: "The comment's content."),
            PropertyDescriptor("comment_color", .string, default: "#f0f0f0", description: "The colour."),
        ],
        outputs: [], isCacheable: false, runsInline: true)
    func process(_ context: NodeContext) async throws -> NodeOutputs { NodeOutputs(slots: [:]) }
}

/// A frame the editor draws around nodes (their `parent_id` names it); it does nothing, and the
/// nodes in it belong to the scope the frame is in.
struct Group: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.workflows.base_node.Group", title: "Group", description: "A frame around nodes in the editor; it does nothing.",
        properties: [], outputs: [], isCacheable: false, role: .frame, runsInline: true)
    func process(_ context: NodeContext) async throws -> NodeOutputs { NodeOutputs(slots: [:]) }
}

/// Waits, then passes its value on; a Nodeflow node (not in nodetool) for demos and tests of
/// progress and cancellation. The wait is cancellable.
struct Wait: Node {
    static let metadata = NodeMetadata(
        type: "nodeflow.control.Wait", title: "Wait", description: "Waits a number of seconds, reporting progress, then outputs its value.",
        properties: [
            PropertyDescriptor("value", .any, default: .null, description: "The value to pass on."),
            PropertyDescriptor("seconds", .float, default: 1.0, description: "How long to wait, at most a year.", bounds: Wait.secondsRange),
        ],
        outputs: [OutputDescriptor("output", .any)], isCacheable: false)
    static let secondsRange: ClosedRange<Double> = 0...31_536_000

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let seconds: Double = try context.input("seconds", in: Self.secondsRange)
        let steps = max(1, min(100, Int(seconds * 10)))
        for step in 1...steps {
            try await Task.sleep(for: .seconds(seconds / Double(steps)))
            context.reportProgress(step, of: steps)
        }
        return NodeOutputs(context["value"])
    }
}
