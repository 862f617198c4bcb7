import Foundation
import Nodeflow

/// The `nodetool.text.*` nodes.
enum TextNodes {
    static let all: [any Node.Type] = [Concat.self, Join.self, Template.self, Split.self, Replace.self]
}

/// Text properties take a string or a text reference (`{"type": "text", "data": ...}`).
let textType: PropertyType = .union([.string, .asset("text")])

extension NodeContext {
    /// A text property as a string: a string as is, a text reference by its inline `data`.
    func text(_ name: String) throws -> String {
        switch self[name] {
        case .string(let s): return s
        case .dict(let d) where d["type"]?.stringValue == "text":
            // An empty reference (no data, no uri) reads as empty text, as nodetool's does.
            if (d["data"] ?? .null).isNull, (d["uri"]?.stringValue ?? "").isEmpty { return "" }
            let bytes = try AssetRef.bytes(of: .dict(d), property: name, context: self)
            guard let text = String(validating: bytes, as: UTF8.self) else { throw NodeError("'\(name)' is not valid UTF-8 text") }
            return text
        case let other:
            throw NodeInputError(nodeID: nodeID, nodeType: node.type, property: name, value: other, expected: "a string")
        }
    }
}

private func textNode(_ name: String, _ description: String, _ properties: [PropertyDescriptor], output: PropertyType = .string) -> NodeMetadata {
    NodeMetadata(type: "nodetool.text.\(name)", title: name, description: description, properties: properties, outputs: [OutputDescriptor("output", output)], runsInline: true)
}

struct Concat: Node {
    static let metadata = textNode("Concat", "Joins two texts: a followed by b.", [
        PropertyDescriptor("a", textType, default: "", description: "The first text."),
        PropertyDescriptor("b", textType, default: "", description: "The second text."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        NodeOutputs(.string(try context.text("a") + context.text("b")))
    }
}

struct Join: Node {
    static let metadata = textNode("Join", "Joins a list of strings with a delimiter between them.", [
        PropertyDescriptor("strings", .list(.any), default: [], description: "The strings to join."),
        PropertyDescriptor("separator", .string, default: "", description: "What goes between two strings."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let strings: [Value] = try context.input("strings")
        let parts = try strings.enumerated().map { i, v -> String in
            guard case .string(let s) = v else { throw NodeError("'strings' item \(i) is \(v.kindName) \(v.pythonRepr), not a string") }
            return s
        }
        return NodeOutputs(.string(parts.joined(separator: try context.input("separator", as: String.self))))
    }
}

struct Template: Node {
    static let metadata = textNode("Template", "Fills a Python str.format template ({name}, {0}, {}) from a dict, a list or a single string.", [
        PropertyDescriptor("string", textType, default: "", description: "The template."),
        PropertyDescriptor("values", .union([.string, .list(.any), .dict]), default: [:], description: "The values: a dict for {name} fields, a list for {0} fields, or one string."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let template = try context.text("string")
        let result: String
        switch context["values"] {
        case .string(let s): result = try PythonFormat.format(template, positional: [.string(s)], keywords: [:], maxBytes: context.limits.maxStringBytes)
        case .list(let l): result = try PythonFormat.format(template, positional: l, keywords: [:], maxBytes: context.limits.maxStringBytes)
        case .dict(let d): result = try PythonFormat.format(template, positional: [], keywords: Dictionary(uniqueKeysWithValues: d.map { ($0.key, $0.value) }), maxBytes: context.limits.maxStringBytes)
        case let other: throw NodeInputError(nodeID: context.nodeID, nodeType: Self.metadata.type, property: "values", value: other, expected: "a dict, a list or a string")
        }
        return NodeOutputs(.string(result))
    }
}

struct Split: Node {
    static let metadata = textNode("Split", "Splits a text at each occurrence of a delimiter.", [
        PropertyDescriptor("text", textType, default: "", description: "The text to split."),
        PropertyDescriptor("delimiter", .string, default: ",", description: "Where to split; must not be empty."),
    ], output: .list(.string))
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text = try context.text("text")
        let delimiter: String = try context.input("delimiter")
        guard !delimiter.isEmpty else { throw NodeError("'delimiter' is empty; Split needs a delimiter to split at") }
        return NodeOutputs(.list(text.components(separatedBy: delimiter).map(Value.string)))
    }
}

struct Replace: Node {
    static let metadata = textNode("Replace", "Replaces every occurrence of a substring.", [
        PropertyDescriptor("text", textType, default: "", description: "The text."),
        PropertyDescriptor("old", .string, default: "", description: "The substring to replace."),
        PropertyDescriptor("new", .string, default: "", description: "What to put in its place."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text = try context.text("text")
        let old: String = try context.input("old"), new: String = try context.input("new")
        // Python inserts `new` between every character when `old` is empty.
        if old.isEmpty {
            let (inserted, overflow) = (text.count + 1).multipliedReportingOverflow(by: new.utf8.count)
            try context.checkSize(overflow ? nil : inserted.addingReportingOverflow(text.utf8.count).partialValue, of: "the replaced text")
            return NodeOutputs(.string(new + text.map { String($0) + new }.joined()))
        }
        if new.utf8.count > old.utf8.count {
            // Each occurrence grows the text; bound the worst case before building it.
            let occurrences = text.utf8.count / max(1, old.utf8.count)
            let (growth, overflow) = occurrences.multipliedReportingOverflow(by: new.utf8.count - old.utf8.count)
            if overflow || growth > context.limits.maxStringBytes {
                let count = text.components(separatedBy: old).count - 1
                let (real, o) = count.multipliedReportingOverflow(by: new.utf8.count - old.utf8.count)
                try context.checkSize(o ? nil : real.addingReportingOverflow(text.utf8.count).partialValue, of: "the replaced text")
            }
        }
        return NodeOutputs(.string(text.replacingOccurrences(of: old, with: new)))
    }
}
