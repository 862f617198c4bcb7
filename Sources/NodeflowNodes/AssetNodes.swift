import Nodeflow

/// Constants, inputs and outputs that hold asset references (text, image, audio, video,
/// dataframe, tensor) and chat messages; their values pass through unchanged.
enum AssetNodes {
    static let all: [any Node.Type] = [
        ConstantText.self, ConstantImage.self, ConstantAudio.self, ConstantVideo.self, ConstantDataFrame.self,
        ChatInput.self, ImageInput.self, AudioInput.self, VideoInput.self,
        ImageOutput.self, AudioOutput.self, VideoOutput.self, DataframeOutput.self, TensorOutput.self,
    ]
}

private func reference(_ kind: String) -> (PropertyType, Value) { (AssetRef.type(kind), AssetRef.empty(kind)) }

private func constant(_ name: String, _ kind: String) -> NodeMetadata {
    let (type, value) = reference(kind)
    return NodeMetadata(
        type: "nodetool.constant.\(name)", title: name, description: "A constant \(kind) reference.",
        properties: [PropertyDescriptor("value", type, default: value, description: "The reference.")],
        outputs: [OutputDescriptor("output", type)], runsInline: true)
}

private func input(_ name: String, _ type: PropertyType, _ value: Value, _ description: String) -> NodeMetadata {
    NodeMetadata(
        type: "nodetool.input.\(name)", title: name, description: description,
        properties: [
            PropertyDescriptor("value", type, default: value, description: "The value."),
            PropertyDescriptor("name", .string, default: "", description: "The parameter name: params set the value by this name."),
            PropertyDescriptor("label", .string, default: "Input Label", description: "The label shown for this input."),
            PropertyDescriptor("description", .string, default: "", description: "What the input is for."),
        ],
        outputs: [OutputDescriptor("output", type)], isCacheable: false, role: .input, runsInline: true)
}

private func output(_ name: String, _ type: PropertyType, _ value: Value) -> NodeMetadata {
    NodeMetadata(
        type: "nodetool.output.\(name)", title: name, description: "Outputs a value of type \(type).",
        properties: [
            PropertyDescriptor("value", type, default: value, description: "The value to output."),
            PropertyDescriptor("name", .string, default: "", description: "The output's name in the job's result."),
            PropertyDescriptor("label", .string, default: "Output Label", description: "The label shown for this output."),
            PropertyDescriptor("description", .string, default: "", description: "What the output is."),
        ],
        outputs: [OutputDescriptor("output", type)], isCacheable: false, role: .output, runsInline: true)
}

struct ConstantText: ValueNode { static let metadata = constant("Text", "text") }
struct ConstantImage: ValueNode { static let metadata = constant("Image", "image") }
struct ConstantAudio: ValueNode { static let metadata = constant("Audio", "audio") }
struct ConstantVideo: ValueNode { static let metadata = constant("Video", "video") }
struct ConstantDataFrame: ValueNode { static let metadata = constant("DataFrame", "dataframe") }

struct ChatInput: ValueNode {
    static let metadata = input("ChatInput", .list(.any), [], "Chat messages (a list of message objects).")
}
struct ImageInput: ValueNode { static let metadata = input("ImageInput", AssetRef.type("image"), AssetRef.empty("image"), "An image reference.") }
struct AudioInput: ValueNode { static let metadata = input("AudioInput", AssetRef.type("audio"), AssetRef.empty("audio"), "An audio reference.") }
struct VideoInput: ValueNode { static let metadata = input("VideoInput", AssetRef.type("video"), AssetRef.empty("video"), "A video reference.") }

struct ImageOutput: ValueNode { static let metadata = output("ImageOutput", AssetRef.type("image"), AssetRef.empty("image")) }
struct AudioOutput: ValueNode { static let metadata = output("AudioOutput", AssetRef.type("audio"), AssetRef.empty("audio")) }
struct VideoOutput: ValueNode { static let metadata = output("VideoOutput", AssetRef.type("video"), AssetRef.empty("video")) }
struct DataframeOutput: ValueNode { static let metadata = output("DataframeOutput", AssetRef.type("dataframe"), AssetRef.empty("dataframe")) }
struct TensorOutput: ValueNode {
    static let metadata = output("TensorOutput", .union([.asset("tensor"), .list(.any)]), ["type": "tensor", "value": [], "dtype": nil])
}
