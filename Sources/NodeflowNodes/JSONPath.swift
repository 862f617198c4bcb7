import Nodeflow

/// A JSONPath evaluator for `text.ExtractJSON`, with the parts jsonpath-ng users write:
/// `$`, `.key`, `['key']`, `[n]` (negative counts from the end), `[*]`, `.*` and `..key`.
enum JSONPath {
    private enum Step: Equatable {
        case key(String)
        case index(Int)
        case wildcard
        case descendant(String?)  // `..key`, or `..*` as nil
    }

    /// The values `path` selects in `root`.
    /// - Parameter limit: the most matches any step may hold; each `..` multiplies them, so a
    ///   short path on a deep document could otherwise select billions.
    static func find(_ path: String, in root: Value, limit: Int = ValueLimits().maxListCount) throws -> [Value] {
        var matches = [root]
        for step in try parse(path) {
            var next: [Value] = []
            for value in matches {
                try Task.checkCancellation()
                apply(step, to: value, into: &next)
                if next.count > limit { throw ValueLimitError(what: "the matches of JSONPath '\(path.prefix(80))'", size: nil, limit: limit, unit: "items") }
            }
            matches = next
        }
        return matches
    }

    private static func apply(_ step: Step, to value: Value, into out: inout [Value]) {
        switch (step, value) {
        case (.key(let k), .dict(let d)): if let v = d[k] { out.append(v) }
        case (.index(let i), .list(let l)):
            let at = i < 0 ? l.count + i : i
            if l.indices.contains(at) { out.append(l[at]) }
        case (.wildcard, .dict(let d)): out.append(contentsOf: d.values)
        case (.wildcard, .list(let l)): out.append(contentsOf: l)
        case (.descendant(let key), _):
            // The value itself and every value below it, then the key (or everything) on each.
            var stack = [value]
            var all: [Value] = []
            while let v = stack.popLast() {
                all.append(v)
                switch v {
                case .dict(let d): stack.append(contentsOf: d.values.reversed())
                case .list(let l): stack.append(contentsOf: l.reversed())
                default: break
                }
            }
            for v in all {
                if let key { apply(.key(key), to: v, into: &out) } else { apply(.wildcard, to: v, into: &out) }
            }
        default: break
        }
    }

    private static func parse(_ path: String) throws -> [Step] {
        var chars = Array(path.trimmingCharacters(in: .whitespaces))
        guard chars.first == "$" else { throw NodeError("a JSONPath starts with '$', got '\(path)'") }
        chars.removeFirst()
        var steps: [Step] = []
        var i = 0
        func name() -> String {
            var s = ""
            while i < chars.count, chars[i] != ".", chars[i] != "[" { s.append(chars[i]); i += 1 }
            return s
        }
        while i < chars.count {
            if chars[i] == "." {
                i += 1
                if i < chars.count, chars[i] == "." {
                    i += 1
                    let key = name()
                    steps.append(.descendant(key == "*" || key.isEmpty ? nil : key))
                } else {
                    let key = name()
                    guard !key.isEmpty else { throw NodeError("JSONPath '\(path)': a name is missing after '.'") }
                    steps.append(key == "*" ? .wildcard : .key(key))
                }
            } else if chars[i] == "[" {
                guard let close = chars[i...].firstIndex(of: "]") else { throw NodeError("JSONPath '\(path)': missing ']'") }
                let inner = String(chars[(i + 1)..<close]).trimmingCharacters(in: .whitespaces)
                i = close + 1
                if inner == "*" {
                    steps.append(.wildcard)
                } else if let n = Int(inner) {
                    steps.append(.index(n))
                } else if inner.count >= 2, let q = inner.first, q == "'" || q == "\"", inner.last == q {
                    steps.append(.key(String(inner.dropFirst().dropLast())))
                } else {
                    throw NodeError("JSONPath '\(path)': cannot read '[\(inner)]'")
                }
            } else {
                throw NodeError("JSONPath '\(path)': unexpected '\(chars[i])'")
            }
        }
        return steps
    }
}

import Foundation
