import Foundation
import Nodeflow

/// Today's constants and workflow inputs that only pass a value on (nodetool-base, March 2026):
/// model choices, lists of media, dates, image sizes. Their defaults are nodetool's (its
/// `model_dump()` of each type's empty value), so a file that leaves a value unset gives what
/// nodetool gives.
enum TodayValueNodes {
    static let all: [any Node.Type] = [
        ASRModelConstant.self, EmbeddingModelConstant.self, ImageModelConstant.self, LanguageModelConstant.self, TTSModelConstant.self,
        VideoModelConstant.self, AudioListConstant.self, ImageListConstant.self, VideoListConstant.self, TextListConstant.self,
        DocumentConstant.self, JSONConstant.self, Model3DConstant.self, SelectConstant.self, DateConstant.self, DateTimeConstant.self,
        ImageSizeConstant.self,
        ASRModelInput.self, EmbeddingModelInput.self, ImageModelInput.self, TTSModelInput.self, VideoModelInput.self,
        HuggingFaceModelInput.self, AssetFolderInput.self, AudioListInput.self, ImageListInput.self, VideoListInput.self,
        DataframeInput.self, ImageSizeInput.self, Model3DInput.self,
    ]

    /// An empty model choice of a kind, as nodetool's model types dump it.
    static func model(_ kind: String, extra: KeyValuePairs<String, Value> = [:]) -> Value {
        var fields: [(String, Value)] = [("type", .string(kind)), ("provider", "empty"), ("id", ""), ("name", "")]
        fields += extra.map { ($0.key, $0.value) }
        return .dict(.init(uniqueKeysWithValues: fields))
    }

    static let asrModel = model("asr_model", extra: ["path": nil])
    static let embeddingModel = model("embedding_model", extra: ["dimensions": 0])
    static let imageModel = model("image_model", extra: ["path": nil, "supported_tasks": []])
    static let languageModel = model("language_model", extra: ["path": nil, "supported_tasks": []])
    static let ttsModel = model("tts_model", extra: ["path": nil, "voices": [], "selected_voice": ""])
    static let videoModel = model("video_model", extra: ["path": nil, "supported_tasks": []])
    static let imageSize: Value = ["type": "image_size", "width": 1024, "height": 1024, "preset": nil]
    static let model3D: Value = ["type": "model_3d", "uri": "", "asset_id": nil, "data": nil, "metadata": nil, "format": nil, "material_file": nil, "texture_files": []]
    static func emptyRef(_ kind: String) -> Value { ["type": .string(kind), "uri": "", "asset_id": nil, "data": nil, "metadata": nil] }
}

/// A node that passes its `value` on completed as pydantic completes a model: keys the value
/// leaves out take the type's defaults (a list completes each item).
protocol CompletingValueNode: Node {
    /// The empty value of the type (of an item, for lists).
    static var template: Value { get }
}

extension CompletingValueNode {
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        NodeOutputs(Self.complete(context["value"]))
    }

    static func complete(_ value: Value) -> Value {
        switch value {
        case .list(let items): return .list(items.map(complete))
        case .dict(let given):
            guard case .dict(var full) = template else { return value }
            for (key, item) in given { full[key] = item }
            return .dict(full)
        default: return value
        }
    }
}

private func todayConstant(_ name: String, _ type: PropertyType, _ value: Value, _ description: String) -> NodeMetadata {
    NodeMetadata(
        type: "nodetool.constant.\(name)", title: name, description: description,
        properties: [PropertyDescriptor("value", type, default: value, description: "The constant's value.")],
        outputs: [OutputDescriptor("output", type)], runsInline: true)
}

struct ASRModelConstant: CompletingValueNode {
    static var template: Value { TodayValueNodes.asrModel }
    static let metadata = todayConstant("ASRModelConstant", .asset("asr_model"), TodayValueNodes.asrModel, "A speech-recognition model choice.")
}
struct EmbeddingModelConstant: CompletingValueNode {
    static var template: Value { TodayValueNodes.embeddingModel }
    static let metadata = todayConstant("EmbeddingModelConstant", .asset("embedding_model"), TodayValueNodes.embeddingModel, "An embedding model choice.")
}
struct ImageModelConstant: CompletingValueNode {
    static var template: Value { TodayValueNodes.imageModel }
    static let metadata = todayConstant("ImageModelConstant", .asset("image_model"), TodayValueNodes.imageModel, "An image model choice.")
}
struct LanguageModelConstant: CompletingValueNode {
    static var template: Value { TodayValueNodes.languageModel }
    static let metadata = todayConstant("LanguageModelConstant", .asset("language_model"), TodayValueNodes.languageModel, "A language model choice.")
}
struct TTSModelConstant: CompletingValueNode {
    static var template: Value { TodayValueNodes.ttsModel }
    static let metadata = todayConstant("TTSModelConstant", .asset("tts_model"), TodayValueNodes.ttsModel, "A text-to-speech model choice.")
}
struct VideoModelConstant: CompletingValueNode {
    static var template: Value { TodayValueNodes.videoModel }
    static let metadata = todayConstant("VideoModelConstant", .asset("video_model"), TodayValueNodes.videoModel, "A video model choice.")
}
struct AudioListConstant: CompletingValueNode {
    static var template: Value { TodayValueNodes.emptyRef("audio") }
    static let metadata = todayConstant("AudioList", .list(.asset("audio")), [], "A list of audio references.")
}
struct ImageListConstant: CompletingValueNode {
    static var template: Value { TodayValueNodes.emptyRef("image") }
    static let metadata = todayConstant("ImageList", .list(.asset("image")), [], "A list of image references.")
}
struct VideoListConstant: CompletingValueNode {
    static var template: Value { TodayValueNodes.emptyRef("video") }
    static let metadata = todayConstant("VideoList", .list(.asset("video")), [], "A list of video references.")
}
struct TextListConstant: ValueNode { static let metadata = todayConstant("TextList", .list(.string), [], "A list of texts.") }
struct DocumentConstant: CompletingValueNode {
    static var template: Value { TodayValueNodes.emptyRef("document") }
    static let metadata = todayConstant("Document", .asset("document"), TodayValueNodes.emptyRef("document"), "A document reference.")
}
struct JSONConstant: CompletingValueNode {
    static var template: Value { TodayValueNodes.emptyRef("json") }
    static let metadata = todayConstant("JSON", .asset("json"), TodayValueNodes.emptyRef("json"), "A JSON reference.")
}
struct Model3DConstant: CompletingValueNode {
    static var template: Value { TodayValueNodes.model3D }
    static let metadata = todayConstant("Model3D", .asset("model_3d"), TodayValueNodes.model3D, "A 3D model reference.")
}

/// One of a list of options; the value passes on as it is (nodetool does not check it).
struct SelectConstant: ValueNode {
    static let metadata: NodeMetadata = {
        var meta = todayConstant("Select", .string, "", "One of a list of options.")
        meta.properties += [
            PropertyDescriptor("options", .list(.string), default: [], description: "The options."),
            PropertyDescriptor("enum_type_name", .string, default: "", description: "The name of the options' type, if any."),
        ]
        return meta
    }()
}

/// A date: `{"type": "date", "year", "month", "day"}`.
struct DateConstant: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.constant.Date", title: "Date", description: "A date.",
        properties: [
            PropertyDescriptor("year", .int, default: 1900, description: "The year.", bounds: 1...9999),
            PropertyDescriptor("month", .int, default: 1, description: "The month.", bounds: 1...12),
            PropertyDescriptor("day", .int, default: 1, description: "The day.", bounds: 1...31),
        ],
        outputs: [OutputDescriptor("output", .asset("date"))], runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let (year, month, day) = try DateConstant.checkedDate(context)
        return NodeOutputs(["type": "date", "year": .int(year), "month": .int(month), "day": .int(day)])
    }

    /// The year, month and day, as Python's `date()` checks them ("day is out of range for month").
    static func checkedDate(_ context: NodeContext) throws -> (Int, Int, Int) {
        let year: Int = try context.input("year", in: 1...9999)
        let month: Int = try context.input("month", in: 1...12)
        let day: Int = try context.input("day", in: 1...31)
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard day <= days else { throw NodeError("day is out of range for month (\(year)-\(month) has \(days) days, the node gives \(day))") }
        return (year, month, day)
    }
}

/// A date and time in UTC: `{"type": "datetime", …, "microsecond", "tzinfo": "UTC", "utc_offset": 0.0}`.
struct DateTimeConstant: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.constant.DateTime", title: "DateTime", description: "A date and time.",
        properties: DateConstant.metadata.properties + [
            PropertyDescriptor("hour", .int, default: 0, description: "The hour.", bounds: 0...23),
            PropertyDescriptor("minute", .int, default: 0, description: "The minute.", bounds: 0...59),
            PropertyDescriptor("second", .int, default: 0, description: "The second.", bounds: 0...59),
            PropertyDescriptor("millisecond", .int, default: 0, description: "The millisecond.", bounds: 0...999),
            PropertyDescriptor("tzinfo", .string, default: "UTC", description: "The time zone's name."),
            PropertyDescriptor("utc_offset", .int, default: 0, description: "The offset from UTC, in hours."),
        ],
        outputs: [OutputDescriptor("output", .asset("datetime"))], runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let (year, month, day) = try DateConstant.checkedDate(context)
        let milliseconds: Int = try context.input("millisecond", in: 0...999)
        return NodeOutputs([
            "type": "datetime", "year": .int(year), "month": .int(month), "day": .int(day),
            "hour": .int(try context.input("hour", in: 0...23)), "minute": .int(try context.input("minute", in: 0...59)),
            "second": .int(try context.input("second", in: 0...59)), "microsecond": .int(milliseconds * 1000),
            "tzinfo": context["tzinfo"], "utc_offset": .float(try context.input("utc_offset", as: Double.self)),
        ])
    }
}

/// An image size, with its width and height as outputs of their own.
struct ImageSizeConstant: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.constant.ImageSize", title: "Image Size", description: "An image size, and its width and height.",
        properties: [PropertyDescriptor("value", .asset("image_size"), default: TodayValueNodes.imageSize, description: "The size.")],
        outputs: [OutputDescriptor("image_size", .asset("image_size")), OutputDescriptor("width", .int), OutputDescriptor("height", .int)],
        runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let size = context["value"]
        guard case .int(let width)? = size["width"], case .int(let height)? = size["height"] else {
            throw NodeInputError(nodeID: context.nodeID, nodeType: Self.metadata.type, property: "value", value: size, expected: "an image size with integer width and height")
        }
        return NodeOutputs(slots: ["image_size": size, "width": .int(width), "height": .int(height)])
    }
}

struct ASRModelInput: CompletingValueNode {
    static var template: Value { TodayValueNodes.asrModel }
    static let metadata = inputMetadata("ASRModelInput", .asset("asr_model"), TodayValueNodes.asrModel, "A speech-recognition model parameter.")
}
struct EmbeddingModelInput: CompletingValueNode {
    static var template: Value { TodayValueNodes.embeddingModel }
    static let metadata = inputMetadata("EmbeddingModelInput", .asset("embedding_model"), TodayValueNodes.embeddingModel, "An embedding model parameter.")
}
struct ImageModelInput: CompletingValueNode {
    static var template: Value { TodayValueNodes.imageModel }
    static let metadata = inputMetadata("ImageModelInput", .asset("image_model"), TodayValueNodes.imageModel, "An image model parameter.")
}
struct TTSModelInput: CompletingValueNode {
    static var template: Value { TodayValueNodes.ttsModel }
    static let metadata = inputMetadata("TTSModelInput", .asset("tts_model"), TodayValueNodes.ttsModel, "A text-to-speech model parameter.")
}
struct VideoModelInput: CompletingValueNode {
    static var template: Value { TodayValueNodes.videoModel }
    static let metadata = inputMetadata("VideoModelInput", .asset("video_model"), TodayValueNodes.videoModel, "A video model parameter.")
}
struct HuggingFaceModelInput: ValueNode {
    static let metadata = inputMetadata("HuggingFaceModelInput", .asset("hf.model"), ["type": "hf.model", "repo_id": "", "path": nil, "variant": nil, "allow_patterns": nil, "ignore_patterns": nil], "A Hugging Face model parameter.")
}
struct AssetFolderInput: CompletingValueNode {
    static var template: Value { TodayValueNodes.emptyRef("folder") }
    static let metadata = inputMetadata("AssetFolderInput", .asset("folder"), TodayValueNodes.emptyRef("folder"), "An asset folder parameter.")
}
struct AudioListInput: CompletingValueNode {
    static var template: Value { TodayValueNodes.emptyRef("audio") }
    static let metadata = inputMetadata("AudioListInput", .list(.asset("audio")), [], "A list of audio references.")
}
struct ImageListInput: CompletingValueNode {
    static var template: Value { TodayValueNodes.emptyRef("image") }
    static let metadata = inputMetadata("ImageListInput", .list(.asset("image")), [], "A list of image references.")
}
struct VideoListInput: CompletingValueNode {
    static var template: Value { TodayValueNodes.emptyRef("video") }
    static let metadata = inputMetadata("VideoListInput", .list(.asset("video")), [], "A list of video references.")
}
struct DataframeInput: ValueNode {
    static let metadata = inputMetadata("DataframeInput", .asset("dataframe"), ["type": "dataframe", "uri": "", "asset_id": nil, "data": nil, "metadata": nil, "columns": nil], "A dataframe parameter.")
}
struct ImageSizeInput: CompletingValueNode {
    static var template: Value { TodayValueNodes.imageSize }
    static let metadata = inputMetadata("ImageSizeInput", .asset("image_size"), TodayValueNodes.imageSize, "An image size parameter.")
}
struct Model3DInput: CompletingValueNode {
    static var template: Value { TodayValueNodes.model3D }
    static let metadata = inputMetadata("Model3DInput", .asset("model_3d"), TodayValueNodes.model3D, "A 3D model parameter.")
}
