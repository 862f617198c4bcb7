import Foundation
import Nodeflow

/// The part of Jinja2 that nodetool's templates use (`FormatText`): `{{ expression }}` with
/// attribute and index access and filters, `{% for x in list %}…{% endfor %}`,
/// `{% if %}…{% elif %}…{% else %}…{% endif %}`, `{# comments #}`, and `-` to trim whitespace.
/// Values print as Python's `str()` does; an undefined name prints as nothing, as in Jinja.
struct JinjaTemplate: Sendable {
    indirect enum Expression: Sendable {
        case literal(Value)
        case name(String)
        case attribute(Expression, String)
        case index(Expression, Expression)
        case filter(Expression, String, [Expression])
        case not(Expression)
        case compare(Expression, String, Expression)
        case and(Expression, Expression)
        case or(Expression, Expression)
    }

    indirect enum Part: Sendable {
        case text(String)
        case output(Expression)
        case loop(variable: String, sequence: Expression, body: [Part], otherwise: [Part])
        case branch([(condition: Expression, body: [Part])], otherwise: [Part])
    }

    struct SyntaxError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    let parts: [Part]

    init(_ source: String) throws {
        var parser = TemplateParser(tokens: try TemplateLexer.tokens(source))
        parts = try parser.parseParts(until: [])
        if let token = parser.peek { throw SyntaxError(message: "unexpected '{% \(token) %}'") }
    }

    /// Renders with `variables`; a loop over more than `limits` items or output beyond them fails.
    func render(_ variables: [String: Value], context: NodeContext) throws -> String {
        var out = ""
        var scope = variables
        try render(parts, scope: &scope, into: &out, context: context)
        return out
    }

    private func render(_ parts: [Part], scope: inout [String: Value], into out: inout String, context: NodeContext) throws {
        for part in parts {
            switch part {
            case .text(let text): out += text
            case .output(let expression):
                if let value = try evaluate(expression, scope) { out += value.pythonStr }
            case .loop(let variable, let sequence, let body, let otherwise):
                let items: [Value]
                switch try evaluate(sequence, scope) {
                case .list(let list)?: items = list
                case .dict(let d)?: items = d.keys.map(Value.string)
                case .string(let s)?: items = s.map { .string(String($0)) }
                default: items = []
                }
                if items.isEmpty { try render(otherwise, scope: &scope, into: &out, context: context) }
                let saved = scope[variable], savedLoop = scope["loop"]
                for (i, item) in items.enumerated() {
                    if i & 0xFF == 0 { try context.checkCancellation() }
                    scope[variable] = item
                    scope["loop"] = ["index": .int(i + 1), "index0": .int(i), "first": .bool(i == 0), "last": .bool(i == items.count - 1), "length": .int(items.count)]
                    try render(body, scope: &scope, into: &out, context: context)
                    try context.checkSize(out.utf8.count, of: "the formatted text")
                }
                scope[variable] = saved
                scope["loop"] = savedLoop
            case .branch(let branches, let otherwise):
                var taken = false
                for (condition, body) in branches where try evaluate(condition, scope)?.isTruthy == true {
                    try render(body, scope: &scope, into: &out, context: context)
                    taken = true
                    break
                }
                if !taken { try render(otherwise, scope: &scope, into: &out, context: context) }
            }
        }
    }

    /// A short form of an expression, for messages.
    private static func describe(_ expression: Expression) -> String {
        switch expression {
        case .name(let name): name
        case .attribute(let base, let name): describe(base) + "." + name
        case .index(let base, _): describe(base) + "[...]"
        default: "the value"
        }
    }

    /// The expression's value; `nil` when undefined.
    private func evaluate(_ expression: Expression, _ scope: [String: Value]) throws -> Value? {
        switch expression {
        case .literal(let value): return value
        case .name(let name): return scope[name]
        case .attribute(let base, let name):
            // As in Jinja, a missing attribute is undefined, but looking into an undefined value fails.
            guard let container = try evaluate(base, scope) else { throw SyntaxError(message: "'\(Self.describe(base))' is undefined") }
            guard case .dict(let d) = container else { return nil }
            return d[name]
        case .index(let base, let key):
            guard let container = try evaluate(base, scope) else { throw SyntaxError(message: "'\(Self.describe(base))' is undefined") }
            let k = try evaluate(key, scope)
            switch (container, k) {
            case (.dict(let d), .string(let s)?): return d[s]
            case (.list(let l), .int(let i)?):
                let j = i < 0 ? l.count + i : i
                return l.indices.contains(j) ? l[j] : nil
            default: return nil
            }
        case .not(let e): return .bool(!((try evaluate(e, scope))?.isTruthy ?? false))
        case .and(let a, let b):
            let x = try evaluate(a, scope)
            return (x?.isTruthy ?? false) ? try evaluate(b, scope) : x
        case .or(let a, let b):
            let x = try evaluate(a, scope)
            return (x?.isTruthy ?? false) ? x : try evaluate(b, scope)
        case .compare(let a, let op, let b):
            let x = try evaluate(a, scope) ?? .null, y = try evaluate(b, scope) ?? .null
            switch op {
            case "==": return .bool(Value.pythonCompare(x, y) == .same || x == y)
            case "!=": return .bool(!(Value.pythonCompare(x, y) == .same || x == y))
            default:
                guard let order = Value.pythonCompare(x, y) else { throw SyntaxError(message: "cannot compare \(x.pythonRepr) \(op) \(y.pythonRepr)") }
                switch op {
                case "<": return .bool(order == .ascending)
                case ">": return .bool(order == .descending)
                case "<=": return .bool(order != .descending)
                default: return .bool(order != .ascending)
                }
            }
        case .filter(let base, let name, let arguments):
            let value = try evaluate(base, scope)
            let args = try arguments.map { try evaluate($0, scope) ?? .null }
            return try JinjaFilters.apply(name, to: value, arguments: args)
        }
    }
}

/// The filters nodetool documents for its templates.
enum JinjaFilters {
    static func apply(_ name: String, to value: Value?, arguments: [Value]) throws -> Value? {
        func text() -> String { value?.pythonStr ?? "" }
        switch name {
        case "upper": return .string(text().uppercased())
        case "lower": return .string(text().lowercased())
        case "title": return .string(text().capitalized)
        case "trim": return .string(text().trimmingCharacters(in: .whitespacesAndNewlines))
        case "replace":
            guard arguments.count >= 2, let old = arguments[0].stringValue, let new = arguments[1].stringValue else {
                throw JinjaTemplate.SyntaxError(message: "replace needs two strings")
            }
            return .string(old.isEmpty ? text() : text().replacingOccurrences(of: old, with: new))
        case "default", "d":
            return value == nil ? (arguments.first ?? .string("")) : value
        case "length", "count":
            switch value {
            case .list(let l)?: return .int(l.count)
            case .dict(let d)?: return .int(d.count)
            case .string(let s)?: return .int(s.count)
            default: return .int(0)
            }
        case "first", "last":
            switch value {
            case .list(let l)?: return name == "first" ? l.first : l.last
            case .string(let s)?: return (name == "first" ? s.first : s.last).map { .string(String($0)) }
            default: return nil
            }
        case "sort":
            guard case .list(let l)? = value else { return value }
            return .list(l.sorted { Value.pythonCompare($0, $1) == .ascending })
        case "join":
            let separator = arguments.first?.stringValue ?? ""
            guard case .list(let l)? = value else { return .string(text()) }
            return .string(l.map(\.pythonStr).joined(separator: separator))
        case "truncate":
            // Jinja's truncate(length=255, killwords=False, end='...', leeway=5).
            let s = text()
            let length = arguments.first.flatMap { Int(value: $0) } ?? 255
            let killWords = arguments.count > 1 ? arguments[1].isTruthy : false
            let end = arguments.count > 2 ? arguments[2].pythonStr : "..."
            let leeway = arguments.count > 3 ? Int(value: arguments[3]) ?? 5 : 5
            guard length >= end.count else { throw JinjaTemplate.SyntaxError(message: "truncate: length must be at least the end's length") }
            let count = s.count
            if count <= length || count - length <= leeway { return .string(s) }  // no overflow for huge arguments
            let cut = String(s.prefix(length - end.count))
            if killWords { return .string(cut + end) }
            if let space = cut.lastIndex(of: " ") { return .string(String(cut[..<space]) + end) }
            return .string(cut + end)
        case "string": return .string(text())
        case "int": return .int(Int(value: value ?? .null) ?? Int(text().trimmingCharacters(in: .whitespaces)) ?? 0)
        case "tojson": return .string((value ?? .null).jsonString())
        default:
            throw JinjaTemplate.SyntaxError(message: "no filter named '\(name)'")
        }
    }
}
