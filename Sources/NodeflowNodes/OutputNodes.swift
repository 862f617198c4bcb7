import Nodeflow

/// The `nodetool.output.*` nodes: each makes its `value` a job output under its `name`.
enum OutputNodes {
    static let all: [any Node.Type] = [ListOutput.self, IntegerOutput.self, FloatOutput.self, BooleanOutput.self, StringOutput.self, TextOutput.self, DictionaryOutput.self]
}

/// The metadata of an output node: its `value`, and the `name` it is collected under.
func outputMetadata(_ name: String, _ type: PropertyType, _ value: Value, _ description: String) -> NodeMetadata {
    NodeMetadata(
        type: "nodetool.output.\(name)", title: name, description: description,
        properties: [
            PropertyDescriptor("value", type, default: value, description: "The value to output."),
            PropertyDescriptor("name", .string, default: "", description: "The output's name in the job's result."),
            PropertyDescriptor("label", .string, default: "Output Label", description: "The label shown for this output."),
            PropertyDescriptor("description", .string, default: "", description: "What the output is."),
        ],
        outputs: [OutputDescriptor("output", type)], isCacheable: false, role: .output, runsInline: true)
}

struct ListOutput: ValueNode {
    static let metadata = outputMetadata("ListOutput", .list(.any), [], "Outputs a list.")
}

struct IntegerOutput: ValueNode {
    static let metadata = outputMetadata("IntegerOutput", .int, 0, "Outputs an integer.")
}

struct FloatOutput: ValueNode {
    static let metadata = outputMetadata("FloatOutput", .float, 0.0, "Outputs a float; an int becomes a float.")
}

struct BooleanOutput: ValueNode {
    static let metadata = outputMetadata("BooleanOutput", .bool, false, "Outputs a boolean.")
}

struct StringOutput: ValueNode {
    static let metadata = outputMetadata("StringOutput", .string, "", "Outputs a string.")
}

struct TextOutput: ValueNode {
    static let metadata = outputMetadata("TextOutput", .union([.string, .asset("text")]), AssetRef.empty("text"), "Outputs text: a text reference or a string.")
}

struct DictionaryOutput: ValueNode {
    static let metadata = outputMetadata("DictionaryOutput", .dict, [:], "Outputs a dictionary.")
}
