import Nodeflow

/// Today's `lib.math.*` arithmetic: two numbers (no lists), the same rules as the 0.5.3 nodes
/// (int op int stays int, `/` gives a float); Divide and Modulus default `b` to 1.
enum LibMathNodes {
    static let all: [any Node.Type] = [
        LibMath<Add>.self, LibMath<Subtract>.self, LibMath<Multiply>.self, LibMath<Divide>.self, LibMath<Modulus>.self,
    ]
}

/// A 0.5.3 binary math node under today's name `lib.math.NAME`, scalars only.
struct LibMath<Operation: BinaryMathNode>: Node {
    static var metadata: NodeMetadata {
        let base = Operation.metadata
        let name = base.title
        let defaultB: Value = name == "Divide" || name == "Modulus" ? 1.0 : 0.0
        let number: PropertyType = .union([.int, .float])
        return NodeMetadata(
            type: "lib.math.\(name)", title: name, description: base.description,
            properties: [
                PropertyDescriptor("a", number, default: 0.0, description: "The first number."),
                PropertyDescriptor("b", number, default: defaultB, description: "The second number."),
            ],
            outputs: [OutputDescriptor("output", number)], runsInline: true)
    }

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        NodeOutputs(try Operation.apply(context["a"], context["b"]))
    }
}

/// Today's `nodetool.list.Sum`: the sum of a list of numbers (ints stay ints, as Python's `sum`).
struct ListSum: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.list.Sum", title: "Sum", description: "The sum of a list of numbers.",
        properties: [PropertyDescriptor("values", .list(.float), default: [], description: "The numbers.")],
        outputs: [OutputDescriptor("output", .float)], runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let values: [Value] = try context.input("values")
        guard !values.isEmpty else { throw NodeError("Cannot sum empty list") }
        var total: Value = .int(0)
        for value in values {
            switch value {
            case .int, .float: total = try Add.apply(total, value)
            default: throw NodeError("All values must be numbers")
            }
        }
        return NodeOutputs(total)
    }
}
