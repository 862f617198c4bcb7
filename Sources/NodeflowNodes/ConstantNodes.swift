import Nodeflow

/// The `nodetool.constant.*` nodes: each outputs its `value`.
enum ConstantNodes {
    static let all: [any Node.Type] = [ConstantBool.self, ConstantInteger.self, ConstantFloat.self, ConstantString.self, ConstantList.self, ConstantDict.self]
}

/// A node that outputs its `value` property unchanged.
protocol ValueNode: Node {}

extension ValueNode {
    func process(_ context: NodeContext) async throws -> NodeOutputs { NodeOutputs(context["value"]) }
}

struct ConstantBool: ValueNode {
    static let metadata = constant("Bool", .bool, false, "A boolean constant.")
}

struct ConstantInteger: ValueNode {
    static let metadata = constant("Integer", .int, 0, "An integer constant.")
}

struct ConstantFloat: ValueNode {
    static let metadata = constant("Float", .float, 0.0, "A floating-point constant.")
}

struct ConstantString: ValueNode {
    static let metadata = constant("String", .string, "", "A string constant.")
}

struct ConstantList: ValueNode {
    static let metadata = constant("List", .list(.any), [], "A list constant.")
}

struct ConstantDict: ValueNode {
    static let metadata = constant("Dict", .dict, [:], "A dictionary constant.")
}

private func constant(_ name: String, _ type: PropertyType, _ value: Value, _ description: String) -> NodeMetadata {
    NodeMetadata(
        type: "nodetool.constant.\(name)", title: name, description: description,
        properties: [PropertyDescriptor("value", type, default: value, description: "The constant's value.")],
        outputs: [OutputDescriptor("output", type)], runsInline: true)
}
