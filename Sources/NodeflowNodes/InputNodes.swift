import Nodeflow

/// The `nodetool.input.*` nodes: workflow parameters, set by name from a run's params.
enum InputNodes {
    static let all: [any Node.Type] = [FloatInput.self, IntegerInput.self, BooleanInput.self, StringInput.self, TextInput.self]
}

/// The properties every input node has besides its value.
private let inputIdentity: [PropertyDescriptor] = [
    PropertyDescriptor("name", .string, default: "", description: "The parameter name: params set the value by this name."),
    PropertyDescriptor("label", .string, default: "Input Label", description: "The label shown for this input."),
    PropertyDescriptor("description", .string, default: "", description: "What the input is for."),
]

/// The metadata of an input node: its `value`, set by params through its `name`.
func inputMetadata(_ name: String, _ type: PropertyType, _ value: Value, _ description: String, extra: [PropertyDescriptor] = []) -> NodeMetadata {
    NodeMetadata(
        type: "nodetool.input.\(name)", title: name, description: description,
        properties: [PropertyDescriptor("value", type, default: value, description: "The value.")] + extra + inputIdentity,
        outputs: [OutputDescriptor("output", type)], isCacheable: false, role: .input, runsInline: true)
}

/// Clamps `value` into `[min, max]` as nodetool's `min(max(value, min), max)` does: the result is
/// whichever of the three values wins, int or float as it was.
func clamped(_ context: NodeContext) throws -> NodeOutputs {
    let value = context["value"], low = context["min"], high = context["max"]
    let v: Double = try context.input("value"), lo: Double = try context.input("min"), hi: Double = try context.input("max")
    // Python's max(a, b) returns a unless b > a; min(a, b) returns a unless b < a.
    let atLeastLow = lo > v ? low : value
    let atLeastLowNumber = lo > v ? lo : v
    return NodeOutputs(hi < atLeastLowNumber ? high : atLeastLow)
}

struct FloatInput: Node {
    static let metadata = inputMetadata("FloatInput", .float, 0.0, "A float parameter, clamped to [min, max].", extra: [
        // nodetool declares `min: float = 0` and `max: float = 100`: int defaults, which a clamp can return.
        PropertyDescriptor("min", .float, default: 0, description: "The smallest value."),
        PropertyDescriptor("max", .float, default: 100, description: "The largest value."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs { try clamped(context) }
}

struct IntegerInput: Node {
    static let metadata = inputMetadata("IntegerInput", .int, 0, "An integer parameter, clamped to [min, max].", extra: [
        PropertyDescriptor("min", .int, default: 0, description: "The smallest value."),
        PropertyDescriptor("max", .int, default: 100, description: "The largest value."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs { try clamped(context) }
}

struct BooleanInput: ValueNode {
    static let metadata = inputMetadata("BooleanInput", .bool, false, "A boolean parameter.")
}

struct StringInput: ValueNode {
    static let metadata = inputMetadata("StringInput", .string, "", "A string parameter.")
}

struct TextInput: ValueNode {
    static let metadata = inputMetadata("TextInput", .union([AssetRef.type("text"), .string]), AssetRef.empty("text"), "A text parameter: a text reference (or a plain string).")
}
