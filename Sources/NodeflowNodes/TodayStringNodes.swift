import Foundation
import Nodeflow

/// Today's plain text nodes (nodetool-base 50bbc4ee, March 2026): conversion, case, comparison,
/// search, white space, length, padding and cleaning. They do what Python's `str` methods do, on
/// code points (``PythonString``).
enum TodayStringNodes {
    static let all: [any Node.Type] = [
        ToString.self, TextCompare.self, TextEquals.self, ToUppercase.self, ToLowercase.self, ToTitlecase.self, CapitalizeText.self,
        StartsWith.self, EndsWith.self, TextContains.self, TrimWhitespace.self, CollapseWhitespace.self, IsEmpty.self,
        RemovePunctuation.self, StripAccents.self, Slugify.self, HasLength.self, TruncateText.self, PadText.self, TextLength.self,
        IndexOf.self, SurroundWith.self,
    ]
}

private func stringNode(_ name: String, _ title: String, _ description: String, _ properties: [PropertyDescriptor], output: PropertyType = .string) -> NodeMetadata {
    NodeMetadata(type: "nodetool.text.\(name)", title: title, description: description, properties: properties, outputs: [OutputDescriptor("output", output)], runsInline: true)
}

private let textProperty = PropertyDescriptor("text", .string, default: "", description: "The text.")

/// `str(value)` or `repr(value)`.
struct ToString: Node {
    static let metadata = stringNode("ToString", "To String", "The value as text: Python's str() or repr().", [
        PropertyDescriptor("value", .any, default: .list([]), description: "The value."),
        PropertyDescriptor("mode", .enumeration(["str", "repr"]), default: "str", description: "str() or repr()."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let value = context["value"]
        let text = try context.input("mode", as: String.self) == "repr" ? value.pythonRepr : value.pythonStr
        try context.checkSize(text.utf8.count, of: "the text")
        return NodeOutputs(.string(text))
    }
}

private let comparisonProperties = [
    PropertyDescriptor("text_a", .string, default: "", description: "The first text."),
    PropertyDescriptor("text_b", .string, default: "", description: "The second text."),
    PropertyDescriptor("case_sensitive", .bool, default: true, description: "Compare without lowercasing."),
    PropertyDescriptor("trim_whitespace", .bool, default: false, description: "Strip white space at both ends first."),
]

/// `text_a` and `text_b` as nodetool's Compare and Equals prepare them.
private func comparedTexts(_ context: NodeContext) throws -> ([Unicode.Scalar], [Unicode.Scalar]) {
    let trim: Bool = try context.input("trim_whitespace"), caseSensitive: Bool = try context.input("case_sensitive")
    func normalize(_ text: String) -> [Unicode.Scalar] {
        let trimmed = trim ? PythonString.strip(text) : text
        return Array((caseSensitive ? trimmed : PythonString.lower(trimmed)).unicodeScalars)
    }
    return (normalize(try context.input("text_a")), normalize(try context.input("text_b")))
}

/// "less", "equal" or "greater", by code point.
struct TextCompare: Node {
    static let metadata = stringNode("Compare", "Compare Text", "Orders two texts by code point: less, equal or greater.", comparisonProperties)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let (a, b) = try comparedTexts(context)
        for (x, y) in zip(a, b) where x != y { return NodeOutputs(.string(x.value < y.value ? "less" : "greater")) }
        return NodeOutputs(.string(a.count < b.count ? "less" : (a.count > b.count ? "greater" : "equal")))
    }
}

/// Equality by code point (not Swift's canonical equivalence: "é" and "e\u{301}" differ).
struct TextEquals: Node {
    static let metadata = stringNode("Equals", "Equals", "Whether two texts are the same, code point by code point.", comparisonProperties, output: .bool)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let (a, b) = try comparedTexts(context)
        return NodeOutputs(.bool(a == b))
    }
}

/// A text node that maps `text` through one function.
protocol TextMappingNode: Node {
    static func map(_ text: String) -> String
}

extension TextMappingNode {
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text = Self.map(try context.input("text"))
        try context.checkSize(text.utf8.count, of: "the text")
        return NodeOutputs(.string(text))
    }
}

struct ToUppercase: TextMappingNode {
    static let metadata = stringNode("ToUppercase", "To Uppercase", "The text in upper case (Python's str.upper: ß becomes SS).", [textProperty])
    static func map(_ text: String) -> String { PythonString.upper(text) }
}

struct ToLowercase: TextMappingNode {
    static let metadata = stringNode("ToLowercase", "To Lowercase", "The text in lower case (Python's str.lower, with Greek final sigma).", [textProperty])
    static func map(_ text: String) -> String { PythonString.lower(text) }
}

struct ToTitlecase: TextMappingNode {
    static let metadata = stringNode("ToTitlecase", "To Title Case", "Each word's first letter in title case, the rest lower (Python's str.title: they're becomes They'Re).", [textProperty])
    static func map(_ text: String) -> String { PythonString.title(text) }
}

struct CapitalizeText: TextMappingNode {
    static let metadata = stringNode("CapitalizeText", "Capitalize Text", "The first character in title case, the rest lower (Python's str.capitalize).", [textProperty])
    static func map(_ text: String) -> String { PythonString.capitalize(text) }
}

struct StartsWith: Node {
    static let metadata = stringNode("StartsWith", "Starts With", "Whether the text starts with a prefix.", [
        textProperty, PropertyDescriptor("prefix", .string, default: "", description: "The prefix."),
    ], output: .bool)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text: String = try context.input("text"), prefix: String = try context.input("prefix")
        return NodeOutputs(.bool(PythonString.hasPrefix(Array(text.unicodeScalars), Array(prefix.unicodeScalars))))
    }
}

struct EndsWith: Node {
    static let metadata = stringNode("EndsWith", "Ends With", "Whether the text ends with a suffix.", [
        textProperty, PropertyDescriptor("suffix", .string, default: "", description: "The suffix."),
    ], output: .bool)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text: String = try context.input("text"), suffix: String = try context.input("suffix")
        return NodeOutputs(.bool(PythonString.hasSuffix(Array(text.unicodeScalars), Array(suffix.unicodeScalars))))
    }
}

/// `substring`, or the `search_values` when there are any, in the text: any, all or none of them.
struct TextContains: Node {
    static let metadata = stringNode("Contains", "Contains Text", "Whether the text contains any, all or none of the search values (or the substring, when there are none).", [
        textProperty,
        PropertyDescriptor("substring", .string, default: "", description: "The text to look for when search_values is empty."),
        PropertyDescriptor("search_values", .list(.string), default: [], description: "The texts to look for."),
        PropertyDescriptor("case_sensitive", .bool, default: true, description: "Compare without lowercasing."),
        PropertyDescriptor("match_mode", .enumeration(["any", "all", "none"]), default: "any", description: "any: one must occur; all: every one; none: not one."),
    ], output: .bool)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let searchValues: [String] = try context.input("search_values")
        let targets = try searchValues.isEmpty ? [context.input("substring", as: String.self)] : searchValues
        let caseSensitive: Bool = try context.input("case_sensitive")
        let text: String = try context.input("text")
        let haystack = Array((caseSensitive ? text : PythonString.lower(text)).unicodeScalars)
        let found = targets.map { needle in
            PythonString.find(Array((caseSensitive ? needle : PythonString.lower(needle)).unicodeScalars), in: haystack) >= 0
        }
        switch try context.input("match_mode", as: String.self) {
        case "all": return NodeOutputs(.bool(found.allSatisfy { $0 }))
        case "none": return NodeOutputs(.bool(!found.contains(true)))
        default: return NodeOutputs(.bool(found.contains(true)))
        }
    }
}

struct TrimWhitespace: Node {
    static let metadata = stringNode("TrimWhitespace", "Trim Whitespace", "The text without white space at its start and/or end (Python's strip).", [
        textProperty,
        PropertyDescriptor("trim_start", .bool, default: true, description: "Trim the start."),
        PropertyDescriptor("trim_end", .bool, default: true, description: "Trim the end."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text: String = try context.input("text")
        return NodeOutputs(.string(PythonString.strip(text, leading: try context.input("trim_start"), trailing: try context.input("trim_end"))))
    }
}

/// `re.sub(r"\s+", replacement, text)` (or `[^\S\r\n]+`, keeping line breaks), the replacement
/// read as Python reads a replacement template (`\n` is a line break, `\g<0>` the run).
struct CollapseWhitespace: Node {
    static let metadata = stringNode("CollapseWhitespace", "Collapse Whitespace", "Replaces each run of white space with one replacement (by default a space).", [
        textProperty,
        PropertyDescriptor("preserve_newlines", .bool, default: false, description: "Keep \\r and \\n: only runs of other white space are replaced."),
        PropertyDescriptor("replacement", .string, default: " ", description: "What replaces a run (a Python replacement template)."),
        PropertyDescriptor("trim_edges", .bool, default: true, description: "Strip white space at both ends first."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text: String = try context.input("text")
        let value = try context.input("trim_edges", as: Bool.self) ? PythonString.strip(text) : text
        let replacement = try PythonReplacement(try context.input("replacement"), groups: 0)
        let keepNewlines: Bool = try context.input("preserve_newlines")
        func collapses(_ c: Unicode.Scalar) -> Bool { PythonText.isSpace(c) && !(keepNewlines && (c == "\n" || c == "\r")) }
        let s = Array(value.unicodeScalars)
        var out = String.UnicodeScalarView()
        var bytes = 0
        var i = 0
        while i < s.count {
            guard collapses(s[i]) else {
                out.append(s[i])
                bytes += UTF8.width(s[i])
                i += 1
                continue
            }
            let start = i
            while i < s.count, collapses(s[i]) { i += 1 }
            let run = PythonString.string(s[start..<i])
            let piece = replacement.expand { $0 == 0 ? run : nil }
            bytes += piece.utf8.count
            try context.checkSize(bytes, of: "the text")
            out.append(contentsOf: piece.unicodeScalars)
        }
        return NodeOutputs(.string(String(out)))
    }
}

struct IsEmpty: Node {
    static let metadata = stringNode("IsEmpty", "Is Empty", "Whether the text is empty (or only white space, when trimmed).", [
        textProperty, PropertyDescriptor("trim_whitespace", .bool, default: true, description: "Strip white space first."),
    ], output: .bool)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text: String = try context.input("text")
        return NodeOutputs(.bool((try context.input("trim_whitespace", as: Bool.self) ? PythonString.strip(text) : text).isEmpty))
    }
}

/// Python's `string.punctuation`: ASCII only.
let asciiPunctuation = ##"!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"##

struct RemovePunctuation: Node {
    static let metadata = stringNode("RemovePunctuation", "Remove Punctuation", "Replaces each punctuation character (by default ASCII's) with the replacement (by default nothing).", [
        textProperty,
        PropertyDescriptor("replacement", .string, default: "", description: "What replaces each character."),
        PropertyDescriptor("punctuation", .string, default: .string(asciiPunctuation), description: "The characters to replace."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text: String = try context.input("text"), replacement: String = try context.input("replacement")
        let punctuation = Set(try context.input("punctuation", as: String.self).unicodeScalars)
        // Each replaced character may grow the text: bound the worst case before building it.
        if replacement.utf8.count > 1 {
            let (growth, overflow) = text.unicodeScalars.count.multipliedReportingOverflow(by: replacement.utf8.count)
            if overflow || growth > context.limits.maxStringBytes {
                let replaced = text.unicodeScalars.filter { punctuation.contains($0) }.count
                let (real, o) = replaced.multipliedReportingOverflow(by: replacement.utf8.count)
                try context.checkSize(o ? nil : real.addingReportingOverflow(text.utf8.count).partialValue, of: "the text")
            }
        }
        var out = String.UnicodeScalarView()
        for c in text.unicodeScalars {
            if punctuation.contains(c) { out.append(contentsOf: replacement.unicodeScalars) } else { out.append(c) }
        }
        return NodeOutputs(.string(String(out)))
    }
}

/// NFKD, then without combining marks (`unicodedata.combining`), and without anything non-ASCII
/// unless `preserve_non_ascii`. Compatibility forms come apart too: "ﬁ" becomes "fi", "²" "2".
struct StripAccents: Node {
    static let metadata = stringNode("StripAccents", "Strip Accents", "The text without accents (NFKD, combining marks removed): é becomes e, ﬁ becomes fi.", [
        textProperty, PropertyDescriptor("preserve_non_ascii", .bool, default: true, description: "Keep other non-ASCII characters (false: drop them)."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let keep: Bool = try context.input("preserve_non_ascii")
        let decomposed = PythonString.nfkd(try context.input("text"))
        let kept = decomposed.unicodeScalars.filter { $0.properties.canonicalCombiningClass.rawValue == 0 && (keep || $0.isASCII) }
        let result = PythonString.string(kept)
        try context.checkSize(result.utf8.count, of: "the text")
        return NodeOutputs(.string(result))
    }
}

/// nodetool's slug: NFKD (ASCII only unless `allow_unicode`), without characters that are not
/// word characters, white space or `-`, each run of white space, `_` and `-` replaced by the
/// separator, separator characters stripped from both ends, then lowercased.
struct Slugify: Node {
    static let metadata = stringNode("Slugify", "Slugify", "The text as a slug for URLs or ids: Hello, World! becomes hello-world.", [
        textProperty,
        PropertyDescriptor("separator", .string, default: "-", description: "What replaces white space, _ and - (a Python replacement template)."),
        PropertyDescriptor("lowercase", .bool, default: true, description: "Lowercase the slug."),
        PropertyDescriptor("allow_unicode", .bool, default: false, description: "Keep non-ASCII letters."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let separator: String = try context.input("separator")
        let replacement = try PythonReplacement(separator, groups: 0)
        let allowUnicode: Bool = try context.input("allow_unicode")
        let kept = Array(PythonString.nfkd(try context.input("text")).unicodeScalars.filter { c in
            (allowUnicode || c.isASCII) && (PythonString.isWord(c) || PythonText.isSpace(c) || c == "-")
        })
        func joins(_ c: Unicode.Scalar) -> Bool { PythonText.isSpace(c) || c == "_" || c == "-" }
        var out = String.UnicodeScalarView()
        var bytes = 0
        var i = 0
        while i < kept.count {
            guard joins(kept[i]) else {
                out.append(kept[i])
                bytes += UTF8.width(kept[i])
                i += 1
                continue
            }
            let start = i
            while i < kept.count, joins(kept[i]) { i += 1 }
            let run = PythonString.string(kept[start..<i])
            let piece = replacement.expand { $0 == 0 ? run : nil }
            bytes += piece.utf8.count
            try context.checkSize(bytes, of: "the slug")
            out.append(contentsOf: piece.unicodeScalars)
        }
        let stripSet = Set(separator.unicodeScalars)
        let slug = PythonString.strip(String(out), leading: true, trailing: true) { stripSet.contains($0) }
        let result = try context.input("lowercase", as: Bool.self) ? PythonString.lower(slug) : slug
        try context.checkSize(result.utf8.count, of: "the slug")
        return NodeOutputs(.string(result))
    }
}

/// nodetool's check is `len(text) == exact_length` alone: `exact_length` is never None (its
/// default is 0, and the runner does not assign None), so `min_length` and `max_length` are never
/// looked at.
struct HasLength: Node {
    static let metadata = stringNode("HasLength", "Check Length", "Whether the text has exactly exact_length characters (as in nodetool, min_length and max_length are not used).", [
        textProperty,
        PropertyDescriptor("min_length", .int, default: 0, description: "Not used (nodetool checks exact_length only)."),
        PropertyDescriptor("max_length", .int, default: 0, description: "Not used (nodetool checks exact_length only)."),
        PropertyDescriptor("exact_length", .int, default: 0, description: "The number of characters (code points)."),
    ], output: .bool)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text: String = try context.input("text"), exactLength: Int = try context.input("exact_length")
        return NodeOutputs(.bool(text.unicodeScalars.count == exactLength))
    }
}

struct TruncateText: Node {
    static let metadata = stringNode("TruncateText", "Truncate Text", "The text cut to max_length characters, ending in the ellipsis when cut and the ellipsis is shorter.", [
        textProperty,
        PropertyDescriptor("max_length", .int, default: 100, description: "The most characters (code points); 0 or less gives the ellipsis alone."),
        PropertyDescriptor("ellipsis", .string, default: "", description: "What ends a cut text."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text = Array(try context.input("text", as: String.self).unicodeScalars)
        let ellipsis: String = try context.input("ellipsis")
        let maxLength: Int = try context.input("max_length")
        if maxLength <= 0 { return NodeOutputs(.string(ellipsis)) }
        if text.count <= maxLength { return NodeOutputs(.string(PythonString.string(text))) }
        let ellipsisLength = ellipsis.unicodeScalars.count
        if !ellipsis.isEmpty, ellipsisLength < maxLength {
            return NodeOutputs(.string(PythonString.string(text[..<(maxLength - ellipsisLength)]) + ellipsis))
        }
        return NodeOutputs(.string(PythonString.string(text[..<maxLength])))
    }
}

struct PadText: Node {
    static let metadata = stringNode("PadText", "Pad Text", "The text padded with one character to a length, on the left, the right or both sides.", [
        textProperty,
        PropertyDescriptor("length", .int, default: 0, description: "The length to reach (code points)."),
        PropertyDescriptor("pad_character", .string, default: " ", description: "One character."),
        PropertyDescriptor("direction", .enumeration(["left", "right", "both"]), default: "right", description: "Where the padding goes; both puts the extra one on the right."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let pad: String = try context.input("pad_character")
        guard pad.unicodeScalars.count == 1, let padScalar = pad.unicodeScalars.first else { throw NodeError("pad_character must be a single character") }
        let text: String = try context.input("text")
        let length: Int = try context.input("length")
        let count = text.unicodeScalars.count
        guard length > count else { return NodeOutputs(.string(text)) }
        let needed = length - count
        let (padBytes, overflow) = needed.multipliedReportingOverflow(by: UTF8.width(padScalar))
        try context.checkSize(overflow ? nil : padBytes.addingReportingOverflow(text.utf8.count).partialValue, of: "the padded text")
        func padding(_ n: Int) -> String { String(repeating: pad, count: n) }
        switch try context.input("direction", as: String.self) {
        case "left": return NodeOutputs(.string(padding(needed) + text))
        case "both": return NodeOutputs(.string(padding(needed / 2) + text + padding(needed - needed / 2)))
        default: return NodeOutputs(.string(text + padding(needed)))
        }
    }
}

/// Characters (code points), words (Python's `split()`) or lines (`splitlines()`; trimmed, only the
/// non-empty ones count).
struct TextLength: Node {
    static let metadata = stringNode("Length", "Measure Length", "The number of characters, words or lines of the text.", [
        textProperty,
        PropertyDescriptor("measure", .enumeration(["characters", "words", "lines"]), default: "characters", description: "What to count."),
        PropertyDescriptor("trim_whitespace", .bool, default: false, description: "Strip white space first (and count only non-empty lines)."),
    ], output: .int)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text: String = try context.input("text")
        let trim: Bool = try context.input("trim_whitespace")
        let value = Array((trim ? PythonString.strip(text) : text).unicodeScalars)
        switch try context.input("measure", as: String.self) {
        case "words":
            var words = 0
            for (i, c) in value.enumerated() where !PythonText.isSpace(c) && (i == 0 || PythonText.isSpace(value[i - 1])) { words += 1 }
            return NodeOutputs(.int(words))
        case "lines":
            let lines = PythonString.lines(value)
            return NodeOutputs(.int(trim ? lines.filter { !$0.isEmpty }.count : lines.count))
        default:
            return NodeOutputs(.int(value.count))
        }
    }
}

/// `text.find(substring, start_index, max(start_index, end_index))` (or `rfind`), lowercasing both
/// unless case-sensitive. As in nodetool, `end_index` 0 (the default) makes the range empty: the
/// result is -1, or `start_index` for an empty substring.
struct IndexOf: Node {
    static let metadata = stringNode("IndexOf", "Index Of", "The index of the first (or last) occurrence of a substring between two indices, -1 when absent.", [
        textProperty,
        PropertyDescriptor("substring", .string, default: "", description: "The text to look for."),
        PropertyDescriptor("case_sensitive", .bool, default: true, description: "Compare without lowercasing."),
        PropertyDescriptor("start_index", .int, default: 0, description: "Where the search starts."),
        PropertyDescriptor("end_index", .int, default: 0, description: "Where it ends (exclusive; 0, the default, searches nothing)."),
        PropertyDescriptor("search_from_end", .bool, default: false, description: "Find the last occurrence."),
    ], output: .int)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let caseSensitive: Bool = try context.input("case_sensitive")
        let text: String = try context.input("text"), substring: String = try context.input("substring")
        let haystack = Array((caseSensitive ? text : PythonString.lower(text)).unicodeScalars)
        let needle = Array((caseSensitive ? substring : PythonString.lower(substring)).unicodeScalars)
        let start: Int = try context.input("start_index")
        let end = max(start, try context.input("end_index", as: Int.self))
        return NodeOutputs(.int(PythonString.find(needle, in: haystack, start: start, end: end, last: try context.input("search_from_end"))))
    }
}

struct SurroundWith: Node {
    static let metadata = stringNode("SurroundWith", "Surround With", "The text between a prefix and a suffix (unchanged when it already starts and ends with them and skip_if_wrapped).", [
        textProperty,
        PropertyDescriptor("prefix", .string, default: "", description: "What goes before."),
        PropertyDescriptor("suffix", .string, default: "", description: "What goes after."),
        PropertyDescriptor("skip_if_wrapped", .bool, default: true, description: "Leave a text that already starts with the prefix and ends with the suffix."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text: String = try context.input("text"), prefix: String = try context.input("prefix"), suffix: String = try context.input("suffix")
        let scalars = Array(text.unicodeScalars)
        if try context.input("skip_if_wrapped", as: Bool.self),
            PythonString.hasPrefix(scalars, Array(prefix.unicodeScalars)), PythonString.hasSuffix(scalars, Array(suffix.unicodeScalars))
        {
            return NodeOutputs(.string(text))
        }
        let result = prefix + text + suffix
        try context.checkSize(result.utf8.count, of: "the text")
        return NodeOutputs(.string(result))
    }
}
