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

struct ConstantText: ValueNode { static let metadata = constant("Text", "text") }
struct ConstantImage: ValueNode { static let metadata = constant("Image", "image") }
struct ConstantAudio: ValueNode { static let metadata = constant("Audio", "audio") }
struct ConstantVideo: ValueNode { static let metadata = constant("Video", "video") }
struct ConstantDataFrame: ValueNode { static let metadata = constant("DataFrame", "dataframe") }

struct ChatInput: ValueNode {
    static let metadata = inputMetadata("ChatInput", .union([.list(.any), .dict]), [], "Chat messages (a list of message objects; today's nodetool saves a single message).")
}
struct ImageInput: ValueNode { static let metadata = inputMetadata("ImageInput", AssetRef.type("image"), AssetRef.empty("image"), "An image reference.") }
struct AudioInput: ValueNode { static let metadata = inputMetadata("AudioInput", AssetRef.type("audio"), AssetRef.empty("audio"), "An audio reference.") }
struct VideoInput: ValueNode { static let metadata = inputMetadata("VideoInput", AssetRef.type("video"), AssetRef.empty("video"), "A video reference.") }

struct ImageOutput: ValueNode { static let metadata = outputMetadata("ImageOutput", AssetRef.type("image"), AssetRef.empty("image"), "Outputs a value of this type.") }
struct AudioOutput: ValueNode { static let metadata = outputMetadata("AudioOutput", AssetRef.type("audio"), AssetRef.empty("audio"), "Outputs a value of this type.") }
struct VideoOutput: ValueNode { static let metadata = outputMetadata("VideoOutput", AssetRef.type("video"), AssetRef.empty("video"), "Outputs a value of this type.") }
struct DataframeOutput: ValueNode { static let metadata = outputMetadata("DataframeOutput", AssetRef.type("dataframe"), AssetRef.empty("dataframe"), "Outputs a value of this type.") }
struct TensorOutput: ValueNode {
    static let metadata = outputMetadata("TensorOutput", .union([.asset("tensor"), .list(.any)]), ["type": "tensor", "value": [], "dtype": nil], "Outputs a tensor (or a list of numbers).")
}
