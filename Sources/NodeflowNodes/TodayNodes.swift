import Foundation
import Nodeflow

/// Nodes of today's base library (nodetool-base, March 2026) that 0.5.3 did not have.
enum TodayNodes {
    static let all: [any Node.Type] = [FormatText.self, ConditionalSwitch.self, TextSlice.self]
}

/// Fills a Jinja template from the node's dynamic properties (`{{ name }}`, filters, loops), as
/// nodetool's FormatText does: a single-brace `{name}` counts as `{{ name }}`, and names are
/// matched without regard to case (nodetool lowercases both the template's names and the
/// properties').
struct FormatText: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.text.FormatText", title: "Format Text",
        description: "Fills a Jinja template ({{ name }}, {{ title|truncate(20) }}, {% for %}) from the node's dynamic properties.",
        properties: [PropertyDescriptor("template", .string, default: "", description: "The template, e.g. Hello, {{ name }}!")],
        outputs: [OutputDescriptor("output", .string)], runsInline: true, isDynamic: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let template: String = try context.input("template")
        var variables: [String: Value] = [:]
        for (name, value) in context.inputs.all where name != "template" { variables[name.lowercased()] = value }
        do {
            let parsed = try JinjaTemplate(try Self.normalized(template, context: context))
            return NodeOutputs(.string(try parsed.render(variables, context: context)))
        } catch let error as JinjaTemplate.SyntaxError {
            throw NodeError("Template error: \(error.message)")
        }
    }

    /// nodetool's two rewrites before Jinja sees the template: `{NAME}` becomes `{{ NAME }}`,
    /// then the text of each `{{ …` up to `|` or `}` is lowercased wherever it occurs.
    static func normalized(_ template: String, context: NodeContext) throws -> String {
        var text = template
        // (?<!\{)\{([A-Za-z_]\w*)\}(?!\})
        let single = try! NSRegularExpression(pattern: #"(?<!\{)\{([A-Za-z_]\w*)\}(?!\})"#)
        text = single.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "{{ $1 }}")
        let names = try! NSRegularExpression(pattern: #"\{\{\s*([^|}]+)"#)
        let found = names.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
        // Each distinct name once, and only where lowercasing changes it.
        var seen: Set<String> = []
        for name in found where seen.insert(name).inserted && name.lowercased() != name {
            if seen.count & 63 == 0 { try context.checkCancellation() }  // a pass over the text per name
            text = text.replacingOccurrences(of: name, with: name.lowercased())
        }
        return text
    }
}

/// `if_true` when the condition holds, else `if_false`.
struct ConditionalSwitch: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.boolean.ConditionalSwitch", title: "Conditional Switch",
        description: "Returns if_true when the condition holds, else if_false.",
        properties: [
            PropertyDescriptor("condition", .bool, default: false, description: "The condition to check."),
            PropertyDescriptor("if_true", .any, default: .list([]), description: "The value when the condition holds."),
            PropertyDescriptor("if_false", .any, default: .list([]), description: "The value otherwise."),
        ],
        outputs: [OutputDescriptor("output", .any)], runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        NodeOutputs(try context.input("condition", as: Bool.self) ? context["if_true"] : context["if_false"])
    }
}

/// `text[start:stop:step]`, indexing code points as Python does.
struct TextSlice: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.text.Slice", title: "Slice Text", description: "A Python slice of a text: text[start:stop:step] (stop 0, the default, gives an empty text).",
        properties: [
            PropertyDescriptor("text", .string, default: "", description: "The text."),
            PropertyDescriptor("start", .int, default: 0, description: "The first index (negative counts from the end)."),
            PropertyDescriptor("stop", .int, default: 0, description: "The index to stop before."),
            PropertyDescriptor("step", .int, default: 1, description: "The step; negative walks backwards."),
        ],
        outputs: [OutputDescriptor("output", .string)], runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text: String = try context.input("text")
        let step: Int = try context.input("step")
        guard step != 0 else { throw NodeError("slice step cannot be zero") }
        let scalars = PythonSlice.apply(Array(text.unicodeScalars), start: try context.input("start"), stop: try context.input("stop"), step: step)
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return NodeOutputs(.string(String(out)))
    }
}
