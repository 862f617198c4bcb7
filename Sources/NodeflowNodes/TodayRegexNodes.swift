import Foundation
import Nodeflow

/// Today's regular expression nodes (nodetool-base 50bbc4ee, March 2026): Python's `re.finditer`,
/// `re.sub`, `re.split` and `re.match` with a pattern and no flags, on NSRegularExpression (ICU),
/// as ``PythonRegex`` runs the older regex nodes.
enum TodayRegexNodes {
    static let all: [any Node.Type] = [RegexMatch.self, RegexReplace.self, RegexSplit.self, RegexValidate.self]
}

/// Regex nodes take a task of their own: a pattern can backtrack for long (see ``PythonRegex``).
private func regexNode(_ name: String, _ title: String, _ description: String, _ properties: [PropertyDescriptor], output: PropertyType) -> NodeMetadata {
    NodeMetadata(type: "nodetool.text.\(name)", title: title, description: description, properties: properties, outputs: [OutputDescriptor("output", output)])
}

private let textProperty = PropertyDescriptor("text", .string, default: "", description: "The text.")
private let patternProperty = PropertyDescriptor("pattern", .string, default: "", description: "The regular expression.")

/// Every match's group (the whole match for 0); `null` where the group took no part.
struct RegexMatch: Node {
    static let metadata = regexNode("RegexMatch", "Find Regex Matches", "A group (0: the whole match) of every match of a regular expression.", [
        textProperty, patternProperty, PropertyDescriptor("group", .int, default: 0, description: "The group; 0 for the whole match."),
    ], output: .list(.optional(.string)))
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text: String = try context.input("text"), group: Int = try context.input("group")
        let regex = try TodayRegex.compiled(try context.input("pattern"))
        let found = try PythonRegex.matches(regex, in: text, limit: context.limits.maxListCount, context: context)
        guard !found.isEmpty else { return NodeOutputs(.list([])) }
        guard group >= 0, group <= regex.numberOfCaptureGroups else { throw NodeError("no such group: \(group)") }
        let utf16 = Array(text.utf16)
        return NodeOutputs(.list(found.map { TodayRegex.group($0, group, in: utf16).map(Value.string) ?? .null }))
    }
}

/// `re.sub(pattern, replacement, text, count=count)`: `replacement` is a Python template
/// (`\1`, `\g<1>`, `\n`); count 0 replaces every match, a negative count none.
struct RegexReplace: Node {
    static let metadata = regexNode("RegexReplace", "Replace with Regex", "Replaces the matches of a regular expression (\\1 or \\g<1> in the replacement is a group).", [
        textProperty, patternProperty,
        PropertyDescriptor("replacement", .string, default: "", description: "The replacement (a Python template: \\1, \\g<name>, \\n)."),
        PropertyDescriptor("count", .int, default: 0, description: "The most replacements; 0 for all."),
    ], output: .string)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text: String = try context.input("text"), count: Int = try context.input("count")
        let regex = try TodayRegex.compiled(try context.input("pattern"))
        // Python reads the template before it looks for a match.
        let template = try PythonReplacement(try context.input("replacement"), groups: regex.numberOfCaptureGroups)
        guard count >= 0 else { return NodeOutputs(.string(text)) }
        let found = try TodayRegex.matches(regex, in: text, upTo: count == 0 ? nil : count, context: context)
        guard !found.isEmpty else { return NodeOutputs(.string(text)) }
        let utf16 = Array(text.utf16)
        var out = ""
        var bytes = 0
        var last = 0
        for match in found {
            let range = match.range
            let piece = String(decoding: utf16[last..<range.location], as: UTF16.self) + template.expand { TodayRegex.group(match, $0, in: utf16) }
            bytes += piece.utf8.count
            try context.checkSize(bytes, of: "the replaced text")
            out += piece
            last = range.location + range.length
        }
        out += String(decoding: utf16[last...], as: UTF16.self)
        try context.checkSize(out.utf8.count, of: "the replaced text")
        return NodeOutputs(.string(out))
    }
}

/// `re.split(pattern, text, maxsplit=maxsplit)`: the pieces, each followed by the match's groups
/// (`null` for a group that took no part); maxsplit 0 splits at every match, a negative one nowhere.
struct RegexSplit: Node {
    static let metadata = regexNode("RegexSplit", "Split with Regex", "Splits the text at each match of a regular expression (its groups are kept between the pieces).", [
        textProperty, patternProperty, PropertyDescriptor("maxsplit", .int, default: 0, description: "The most splits; 0 for all."),
    ], output: .list(.optional(.string)))
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text: String = try context.input("text"), maxsplit: Int = try context.input("maxsplit")
        let regex = try TodayRegex.compiled(try context.input("pattern"))
        guard maxsplit >= 0 else { return NodeOutputs(.list([.string(text)])) }
        let found = try TodayRegex.matches(regex, in: text, upTo: maxsplit == 0 ? nil : maxsplit, context: context)
        let groups = regex.numberOfCaptureGroups
        try context.checkCount(found.count * (groups + 1) + 1, of: "the pieces")
        let utf16 = Array(text.utf16)
        var parts: [Value] = []
        var last = 0
        for match in found {
            parts.append(.string(String(decoding: utf16[last..<match.range.location], as: UTF16.self)))
            for g in stride(from: 1, through: groups, by: 1) { parts.append(TodayRegex.group(match, g, in: utf16).map(Value.string) ?? .null) }
            last = match.range.location + match.range.length
        }
        parts.append(.string(String(decoding: utf16[last...], as: UTF16.self)))
        return NodeOutputs(.list(parts))
    }
}

/// `bool(re.match(pattern, text))`: whether the pattern matches at the start of the text.
struct RegexValidate: Node {
    static let metadata = regexNode("RegexValidate", "Validate with Regex", "Whether a regular expression matches at the start of the text (Python's re.match).", [
        textProperty, patternProperty,
    ], output: .bool)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text: String = try context.input("text")
        let regex = try TodayRegex.compiled(try context.input("pattern"), .match)
        let found = try PythonRegex.matches(regex, in: text, firstOnly: true, limit: 1, context: context)
        return NodeOutputs(.bool(!found.isEmpty))
    }
}

/// Compiling Python patterns (no flags) for `search`, `match` and `fullmatch`, and reading groups.
enum TodayRegex {
    /// Where a match may lie: anywhere (`re.search`), at the start (`re.match`), or over the whole
    /// text (`re.fullmatch`).
    enum Anchoring: Sendable { case search, match, fullMatch }

    /// The pattern compiled, `nil` when it is not valid. Anchored forms wrap it as `\A(?:…)` and
    /// `\A(?:…)\z` (a non-capturing group: the group numbers stay), once it compiled on its own.
    static func compile(_ pattern: String, _ anchoring: Anchoring = .search) -> NSRegularExpression? {
        // ICU refuses an empty pattern; Python's matches the empty string everywhere.
        let pattern = pattern.isEmpty ? "(?:)" : pattern
        guard let plain = try? NSRegularExpression(pattern: pattern) else { return nil }
        switch anchoring {
        case .search: return plain
        case .match: return try? NSRegularExpression(pattern: "\\A(?:" + pattern + ")")
        case .fullMatch: return try? NSRegularExpression(pattern: "\\A(?:" + pattern + ")\\z")
        }
    }

    /// The pattern compiled, or an error naming it.
    static func compiled(_ pattern: String, _ anchoring: Anchoring = .search) throws -> NSRegularExpression {
        guard let regex = compile(pattern, anchoring) else { throw NodeError("'pattern' is not a valid regular expression: \(pattern)") }
        return regex
    }

    /// The first `count` matches (every match when `nil`), ending at a cancel.
    static func matches(_ regex: NSRegularExpression, in text: String, upTo count: Int?, context: NodeContext) throws -> [NSTextCheckingResult] {
        try PythonRegex.matches(regex, in: text, upTo: count, limit: context.limits.maxListCount, context: context)
    }

    /// Group `i` of a match, cut from the text's UTF-16 (NSRegularExpression's offsets; a match
    /// never splits a surrogate pair); `nil` when the group took no part.
    static func group(_ match: NSTextCheckingResult, _ i: Int, in utf16: [UInt16]) -> String? {
        let range = match.range(at: i)
        guard range.location != NSNotFound else { return nil }
        return String(decoding: utf16[range.location..<(range.location + range.length)], as: UTF16.self)
    }
}

/// A Python `re.sub` replacement template, read as Python 3.11 reads one: `\1`–`\99` and
/// `\g<n>` are groups (`\g<0>` the whole match; an unmatched group is empty), `\0` and three-digit
/// `\NNN` are octal escapes, `\n \t \r \f \v \a \b \\` the usual characters, another escaped ASCII
/// letter an error, anything else escaped stays as written (`\-`). Named groups do not exist here
/// (NSRegularExpression does not take Python's `(?P<name>…)`), so `\g<name>` is an error.
struct PythonReplacement: Sendable {
    enum Piece: Sendable {
        case literal(String)
        case group(Int)
    }

    let pieces: [Piece]

    /// - Throws: ``NodeError`` with Python's message for a template Python rejects.
    init(_ template: String, groups: Int) throws {
        let s = Array(template.unicodeScalars)
        var pieces: [Piece] = []
        var literal = String.UnicodeScalarView()
        func addGroup(_ n: Int) throws {
            guard n <= groups else { throw NodeError("invalid group reference \(n) in the replacement") }
            if !literal.isEmpty { pieces.append(.literal(String(literal))) }
            literal = String.UnicodeScalarView()
            pieces.append(.group(n))
        }
        func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }
        func isOctal(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x37 }
        var i = 0
        while i < s.count {
            let c = s[i]
            guard c == "\\" else {
                literal.append(c)
                i += 1
                continue
            }
            guard i + 1 < s.count else { throw NodeError("bad escape (end of pattern) in the replacement") }
            let d = s[i + 1]
            i += 2
            if d == "g" {
                guard i < s.count, s[i] == "<" else { throw NodeError("missing < in the replacement") }
                guard let close = s[(i + 1)...].firstIndex(of: ">") else { throw NodeError("missing >, unterminated name in the replacement") }
                let name = PythonString.string(s[(i + 1)..<close])
                guard !name.isEmpty else { throw NodeError("missing group name in the replacement") }
                i = close + 1
                if let first = name.unicodeScalars.first, first.properties.isXIDStart || first == "_",
                    name.unicodeScalars.dropFirst().allSatisfy({ $0.properties.isXIDContinue })
                {
                    throw NodeError("unknown group name '\(name)' in the replacement")
                }
                guard let n = PythonString.parseInt(name), n >= 0 else { throw NodeError("bad character in group name '\(name)' in the replacement") }
                try addGroup(n)
            } else if d == "0" {
                var value: UInt32 = 0
                var taken = 0
                while taken < 2, i < s.count, isOctal(s[i]) {
                    value = value * 8 + (s[i].value - 0x30)
                    i += 1
                    taken += 1
                }
                literal.append(Unicode.Scalar(UInt8(value & 0xFF)))
            } else if isDigit(d) {
                var digits = [d]
                var octal = false
                if i < s.count, isDigit(s[i]) {
                    digits.append(s[i])
                    i += 1
                    if isOctal(digits[0]), isOctal(digits[1]), i < s.count, isOctal(s[i]) {
                        digits.append(s[i])
                        i += 1
                        let value = digits.reduce(0) { $0 * 8 + Int($1.value - 0x30) }
                        guard value <= 0o377 else { throw NodeError("octal escape value \\\(PythonString.string(digits)) outside of range 0-0o377 in the replacement") }
                        literal.append(Unicode.Scalar(UInt8(value)))
                        octal = true
                    }
                }
                if !octal { try addGroup(digits.reduce(0) { $0 * 10 + Int($1.value - 0x30) }) }
            } else if let escaped = Self.escapes[d] {
                literal.append(escaped)
            } else if d.isASCII, d.properties.isAlphabetic {
                throw NodeError("bad escape \\\(d) in the replacement")
            } else {
                literal.append("\\")
                literal.append(d)
            }
        }
        if !literal.isEmpty { pieces.append(.literal(String(literal))) }
        self.pieces = pieces
    }

    private static let escapes: [Unicode.Scalar: Unicode.Scalar] = [
        "a": "\u{07}", "b": "\u{08}", "f": "\u{0C}", "n": "\n", "r": "\r", "t": "\t", "v": "\u{0B}", "\\": "\\",
    ]

    /// The replacement for one match; `group(n)` is `nil` for a group that took no part.
    func expand(_ group: (Int) -> String?) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let text): out += text
            case .group(let n): out += group(n) ?? ""
            }
        }
        return out
    }
}
