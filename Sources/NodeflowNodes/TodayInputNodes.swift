import Foundation
import Nodeflow
import OrderedCollections

/// Today's `nodetool.input.*` nodes (nodetool-base, March 2026): more kinds of workflow
/// parameters, and today's bounds for numbers.
enum TodayInputNodes {
    static let all: [any Node.Type] = [
        StringListInput.self, TextListInput.self, FolderPathInput.self, FilePathInput.self, SelectInput.self, ColorInput.self,
        LanguageModelInput.self, DocumentInput.self, DocumentFileInput.self, MessageInput.self, MessageListInput.self,
        MessageDeconstructor.self, CollectionInput.self,
    ]
    /// Types that changed: today's IntegerInput and FloatInput do not clamp their value.
    static let currentFormatOnly: [any Node.Type] = [TodayIntegerInput.self, TodayFloatInput.self]
}

/// Today's IntegerInput: `min` and `max` are hints for the editor (99999 by default); the value is
/// not clamped, as it was in 0.5.3.
struct TodayIntegerInput: ValueNode {
    static let metadata = inputMetadata("IntegerInput", .int, 0, "An integer parameter (min and max guide the editor; the value is not clamped).", extra: [
        PropertyDescriptor("min", .int, default: 0, description: "The smallest value the editor offers."),
        PropertyDescriptor("max", .int, default: 99999, description: "The largest value the editor offers."),
    ])
}

struct TodayFloatInput: ValueNode {
    static let metadata = inputMetadata("FloatInput", .float, 0.0, "A float parameter (min and max guide the editor; the value is not clamped).", extra: [
        PropertyDescriptor("min", .float, default: 0, description: "The smallest value the editor offers."),
        PropertyDescriptor("max", .float, default: 99999, description: "The largest value the editor offers."),
    ])
}

struct StringListInput: ValueNode {
    static let metadata = inputMetadata("StringListInput", .list(.string), [], "A list of strings.")
}

struct TextListInput: ValueNode {
    static let metadata = inputMetadata("TextListInput", .list(.string), [], "A list of texts.")
}

struct FolderPathInput: ValueNode {
    static let metadata = inputMetadata("FolderPathInput", .string, "", "A path to a folder.")
}

struct FilePathInput: ValueNode {
    static let metadata = inputMetadata("FilePathInput", .string, "", "A path to a file.")
}

struct SelectInput: ValueNode {
    static let metadata = inputMetadata("SelectInput", .string, "", "One of a list of options.", extra: [
        PropertyDescriptor("options", .list(.string), default: [], description: "The options."),
        PropertyDescriptor("enum_type_name", .string, default: "", description: "The name of the options' type, if any."),
    ])
}

/// A vector-database collection by name (nodetool 2025; Nodeflow passes the reference on).
struct CollectionInput: ValueNode {
    static let metadata = inputMetadata("CollectionInput", .asset("collection"), ["type": "collection", "name": ""], "A collection reference: {\"type\": \"collection\", \"name\": ...}.")
}

struct ColorInput: ValueNode {
    static let metadata = inputMetadata("ColorInput", .asset("color"), ["type": "color", "value": nil], "A color (a color reference: {\"type\": \"color\", \"value\": \"#rrggbb\"}).")
}

struct LanguageModelInput: ValueNode {
    static let metadata = inputMetadata(
        "LanguageModelInput", .asset("language_model"), ["type": "language_model", "provider": "empty", "id": "", "name": ""],
        "A language model (provider and id); Nodeflow passes it on to the nodes that use one.")
}

struct DocumentInput: ValueNode {
    static let metadata = inputMetadata("DocumentInput", AssetRef.type("document"), AssetRef.empty("document"), "A document reference.")
}

/// A path to a document file, as a document reference and the path.
struct DocumentFileInput: Node {
    static let metadata: NodeMetadata = {
        var meta = inputMetadata("DocumentFileInput", .string, "", "A path to a document file: outputs a document reference and the path.")
        meta.outputs = [OutputDescriptor("document", AssetRef.type("document")), OutputDescriptor("path", .string)]
        return meta
    }()

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let path: String = try context.input("value")
        let uri = path.isEmpty ? "" : URL(fileURLWithPath: (path as NSString).expandingTildeInPath).absoluteString
        return ["document": ["type": "document", "uri": .string(uri), "asset_id": nil, "data": nil], "path": .string(path)]
    }
}

/// nodetool's empty chat message.
private let emptyMessage: Value = [
    "type": "message", "id": nil, "thread_id": nil, "role": "", "name": nil, "content": nil, "tool_calls": nil, "provider": nil, "model": nil,
]

struct MessageInput: ValueNode {
    static let metadata = inputMetadata("MessageInput", .dict, emptyMessage, "A chat message (role, content and metadata).")
}

struct MessageListInput: ValueNode {
    static let metadata = inputMetadata("MessageListInput", .list(.dict), [], "A list of chat messages.")
}

/// A chat message's fields: id, thread, role, its text (the last text part), image and audio, and
/// the model it names.
struct MessageDeconstructor: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.input.MessageDeconstructor", title: "Message Deconstructor",
        description: "A chat message's fields: id, thread_id, role, text, image, audio and model.",
        properties: [PropertyDescriptor("value", .dict, default: emptyMessage, description: "The message.")],
        outputs: [
            OutputDescriptor("id", .union([.string, .null])), OutputDescriptor("thread_id", .union([.string, .null])),
            OutputDescriptor("role", .string), OutputDescriptor("text", .string), OutputDescriptor("image", .any),
            OutputDescriptor("audio", .any), OutputDescriptor("model", .any),
        ],
        runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        guard case .dict(let message) = context["value"] else { throw NodeError("'value' must be a message object") }
        var text = "", image: Value = .null, audio: Value = .null
        switch message["content"] {
        case .string(let s)?: text = s
        case .list(let parts)?:
            // As nodetool does: the last part of each kind wins.
            for case .dict(let part) in parts {
                switch part["type"]?.stringValue {
                case "text": text = part["text"]?.stringValue ?? text
                case "image_url", "image": image = part["image"].map { Self.reference($0, kind: "image") } ?? image
                case "audio": audio = part["audio"].map { Self.reference($0, kind: "audio") } ?? audio
                default: continue
                }
            }
        default: break
        }
        var model: Value = .null
        if let provider = message["provider"]?.stringValue, !provider.isEmpty, let id = message["model"]?.stringValue, !id.isEmpty {
            model = ["type": "language_model", "provider": .string(provider), "id": .string(id), "name": "", "path": nil, "supported_tasks": []]
        }
        return [
            "id": message["id"] ?? .null, "thread_id": message["thread_id"] ?? .null, "role": message["role"] ?? "",
            "text": .string(text), "image": image, "audio": audio, "model": model,
        ]
    }

    /// An asset reference with every field nodetool's model gives it.
    static func reference(_ value: Value, kind: String) -> Value {
        guard case .dict(let given) = value else { return value }
        var full: OrderedDictionary<String, Value> = ["type": .string(kind), "uri": "", "asset_id": nil, "data": nil, "metadata": nil]
        for (key, v) in given { full[key] = v }
        return .dict(full)
    }
}
