import Foundation
import Nodeflow

/// Today's dictionary, JSON and list nodes (nodetool-base, March 2026).
enum TodayCollectionNodes {
    static let all: [any Node.Type] = [
        MakeDictionary.self, ToJSON.self, SaveJSON.self, StringifyJSON.self, StringifyJSONOldName.self, ParseList.self, ParseListOldName.self,
        Flatten.self, ListMaximum.self, ListMinimum.self, ListAverage.self,
    ]
}

/// A dictionary of the node's dynamic properties, in their order.
struct MakeDictionary: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.dictionary.MakeDictionary", title: "Make Dictionary", description: "A dictionary of the node's dynamic properties.",
        properties: [], outputs: [OutputDescriptor("output", .dict)], runsInline: true, isDynamic: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        NodeOutputs(.dict(context.inputs.all))
    }
}

/// `json.dumps(dictionary)`.
struct ToJSON: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.dictionary.ToJSON", title: "To JSON", description: "The dictionary as a JSON string (Python's json.dumps).",
        properties: [PropertyDescriptor("dictionary", .dict, default: [:], description: "The dictionary.")],
        outputs: [OutputDescriptor("output", .string)], runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text = PythonJSON.dumps(context["dictionary"])
        try context.checkSize(text.utf8.count, of: "the JSON text")
        return NodeOutputs(.string(text))
    }
}

/// Writes `data` as JSON into `folder` (under a strftime-style `name`) and outputs the path; with
/// no folder, outputs the JSON text.
struct SaveJSON: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.dictionary.SaveJSON", title: "Save JSON",
        description: "Saves data as a JSON file in a folder and outputs its path; with no folder, outputs the JSON.",
        properties: [
            PropertyDescriptor("data", .any, default: [:], description: "The data to save."),
            PropertyDescriptor("folder", .string, default: "", description: "The output folder; empty to output the JSON itself."),
            PropertyDescriptor("name", .string, default: "%Y-%m-%d-%H-%M-%S.json", description: "The file name; %Y %m %d %H %M %S are the date and time."),
            PropertyDescriptor("indent", .int, default: 2, description: "The indentation.", bounds: 0...64),
        ],
        outputs: [OutputDescriptor("output", .string)], isCacheable: false)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text = PythonJSON.dumps(context["data"], indent: try context.input("indent", in: 0...64))
        try context.checkSize(text.utf8.count, of: "the JSON text")
        let folder: String = try context.input("folder")
        guard !folder.isEmpty else { return NodeOutputs(.string(text)) }
        let name = Self.timestamped(try context.input("name"), at: Date())
        guard case .dict(let asset) = try FileAssets.save(Array(text.utf8), folder: (folder as NSString).expandingTildeInPath, name: name, kind: "json"),
            let uri = asset["uri"]?.stringValue, let path = URL(string: uri)?.path
        else { throw NodeError("cannot save \(name)") }
        return NodeOutputs(.string(path))
    }

    /// `name` with `%Y %m %d %H %M %S` (and `%%`) replaced, as `datetime.strftime` does.
    static func timestamped(_ name: String, at date: Date) -> String {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: .current, from: date)
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        var out = ""
        var chars = name.makeIterator()
        while let c = chars.next() {
            guard c == "%", let code = chars.next() else { out.append(c); continue }
            switch code {
            case "Y": out += String(format: "%04d", parts.year ?? 0)
            case "m": out += two(parts.month)
            case "d": out += two(parts.day)
            case "H": out += two(parts.hour)
            case "M": out += two(parts.minute)
            case "S": out += two(parts.second)
            case "%": out += "%"
            default: out += "%" + String(code)
            }
        }
        return out
    }
}

/// `json.dumps(data, indent=indent)`.
struct StringifyJSON: Node {
    static var metadata: NodeMetadata { stringifyMetadata("lib.json.StringifyJSON") }

    static func stringifyMetadata(_ type: String) -> NodeMetadata {
        NodeMetadata(
            type: type, title: "Stringify JSON", description: "The data as an indented JSON string (Python's json.dumps).",
            properties: [
                PropertyDescriptor("data", .any, default: [:], description: "The data."),
                PropertyDescriptor("indent", .int, default: 2, description: "Spaces per level.", bounds: 0...64),
            ],
            outputs: [OutputDescriptor("output", .string)], runsInline: true)
    }

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text = PythonJSON.dumps(context["data"], indent: try context.input("indent", in: 0...64))
        try context.checkSize(text.utf8.count, of: "the JSON text")
        return NodeOutputs(.string(text))
    }
}

/// StringifyJSON under the name the files use (`nodetool.json.*`).
struct StringifyJSONOldName: Node {
    static var metadata: NodeMetadata { StringifyJSON.stringifyMetadata("nodetool.json.StringifyJSON") }
    func process(_ context: NodeContext) async throws -> NodeOutputs { try await StringifyJSON().process(context) }
}

/// A JSON text that must hold a list.
struct ParseList: Node {
    static var metadata: NodeMetadata { parseListMetadata("lib.json.ParseList") }

    static func parseListMetadata(_ type: String) -> NodeMetadata {
        NodeMetadata(
            type: type, title: "Parse List", description: "Parses a JSON text that holds a list.",
            properties: [PropertyDescriptor("json_string", .string, default: "", description: "The JSON text.")],
            outputs: [OutputDescriptor("output", .list(.any))], runsInline: true)
    }

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let value: Value
        do { value = try Value(json: try context.input("json_string", as: String.self)) } catch let error as JSONSyntaxError {
            throw NodeError("'json_string' is not valid JSON: \(error)")
        }
        guard case .list = value else { throw NodeError("JSON string must represent an array/list") }
        return NodeOutputs(value)
    }
}

struct ParseListOldName: Node {
    static var metadata: NodeMetadata { ParseList.parseListMetadata("nodetool.json.ParseList") }
    func process(_ context: NodeContext) async throws -> NodeOutputs { try await ParseList().process(context) }
}

/// Flattens nested lists, to `max_depth` levels (-1: all).
struct Flatten: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.list.Flatten", title: "Flatten", description: "Flattens nested lists (max_depth -1: every level).",
        properties: [
            PropertyDescriptor("values", .list(.any), default: [], description: "The list."),
            PropertyDescriptor("max_depth", .int, default: -1, description: "How many levels; -1 for all.", bounds: -1...1_000_000),
        ],
        outputs: [OutputDescriptor("output", .list(.any))], runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let depth = try context.input("max_depth", in: -1...1_000_000)
        var out: [Value] = []
        // An explicit stack: a list nested a million deep must not exhaust the thread's stack.
        var stack: [(items: [Value], index: Int, depth: Int)] = [(try context.input("values"), 0, 0)]
        while !stack.isEmpty {
            let top = stack.count - 1
            guard stack[top].index < stack[top].items.count else { stack.removeLast(); continue }
            let item = stack[top].items[stack[top].index]
            stack[top].index += 1
            if case .list(let inner) = item, depth == -1 || stack[top].depth < depth {
                stack.append((inner, 0, stack[top].depth + 1))
            } else {
                out.append(item)
                if out.count & 0xFFFF == 0 { try context.checkCount(out.count, of: "the flattened list") }
            }
        }
        return NodeOutputs(.list(out))
    }
}

/// The numbers of `values`, checked as nodetool checks them.
private func numbers(_ context: NodeContext, empty: String) throws -> [Value] {
    let values: [Value] = try context.input("values")
    guard !values.isEmpty else { throw NodeError(empty) }
    for value in values {
        switch value {
        case .int, .float: continue
        default: throw NodeError("All values must be numbers")
        }
    }
    return values
}

private func numberListMetadata(_ name: String, _ description: String) -> NodeMetadata {
    NodeMetadata(
        type: "nodetool.list.\(name)", title: name, description: description,
        properties: [PropertyDescriptor("values", .list(.float), default: [], description: "The numbers.")],
        outputs: [OutputDescriptor("output", .float)], runsInline: true)
}

/// The largest number (Python's `max`: the first of equal ones, int or float as it was).
struct ListMaximum: Node {
    static let metadata = numberListMetadata("Maximum", "The largest number of a list.")
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let values = try numbers(context, empty: "Cannot find maximum of empty list")
        return NodeOutputs(values.dropFirst().reduce(values[0]) { best, v in Value.pythonCompare(v, best) == .descending ? v : best })
    }
}

struct ListMinimum: Node {
    static let metadata = numberListMetadata("Minimum", "The smallest number of a list.")
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let values = try numbers(context, empty: "Cannot find minimum of empty list")
        return NodeOutputs(values.dropFirst().reduce(values[0]) { best, v in Value.pythonCompare(v, best) == .ascending ? v : best })
    }
}

/// `sum(values) / len(values)`: always a float.
struct ListAverage: Node {
    static let metadata = numberListMetadata("Average", "The mean of a list of numbers.")
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let values = try numbers(context, empty: "Cannot average empty list")
        // Python's sum, left to right: exact (128-bit) while the values are ints — Python's ints do
        // not overflow —, in floating point from the first float on.
        var exact: Int128 = 0
        var floating: Double?
        for v in values {
            switch v {
            case .int(let i):
                if let f = floating { floating = f + Double(i) } else { exact += Int128(i) }
            case .float(let f):
                floating = (floating ?? Double(exact)) + f
            default: break
            }
        }
        return NodeOutputs(.float((floating ?? Double(exact)) / Double(values.count)))
    }
}
