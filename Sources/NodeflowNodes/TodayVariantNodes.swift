import Foundation
import Nodeflow
import OrderedCollections

/// Today's versions (nodetool-base 50bbc4ee, March 2026) of node types whose meaning changed
/// since 0.5.3. They are registered for files of today's format only: a 0.5.3 file keeps the
/// types it was written with (see ``WorkflowFormat``).
enum TodayVariantNodes {
    static let currentFormatOnly: [any Node.Type] = [
        TodayListSlice.self, TodayTemplate.self, TodaySaveText.self, TodayJoin.self, TodayCompare.self, TodayStringInput.self,
        TodayChunk.self,
    ]
}

/// Today's `list.Slice`: `stop` 0 means "to the end", as today's node turns it into Python's
/// `None` before slicing. With a negative step that end is the list's start, index 0 included
/// (`start` -1, `stop` 0, `step` -1 reverses the whole list). 0.5.3 sliced `values[start:0]`.
struct TodayListSlice: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.list.Slice", title: "Slice",
        description: "A Python slice of a list: values[start:stop:step], where stop 0 means to the end (the start, for a negative step).",
        properties: [
            PropertyDescriptor("values", .list(.any), default: [], description: "The list."),
            PropertyDescriptor("start", .int, default: 0, description: "The first index (negative counts from the end)."),
            PropertyDescriptor("stop", .int, default: 0, description: "The index to stop before; 0 for no limit."),
            PropertyDescriptor("step", .int, default: 1, description: "The step; negative walks backwards; not 0."),
        ],
        outputs: [OutputDescriptor("output", .list(.any))], runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let values: [Value] = try context.input("values")
        let step: Int = try context.input("step")
        guard step != 0 else { throw NodeError("slice step cannot be zero") }
        let start: Int = try context.input("start"), stop: Int = try context.input("stop")
        return NodeOutputs(.list(PythonSlice.apply(values, start: start, stop: stop == 0 ? nil : stop, step: step)))
    }
}

/// Today's `text.Template`: no longer `str.format`, but a plain search and replace. Each key of
/// `values` (when it is a dict; anything else is ignored) and then each dynamic property replaces
/// `{{ key }}` (white space allowed inside the braces) and a lone `{key}`, key by key, in order:
/// a value put in by one key can be replaced by a later key. Placeholders no key names, filters
/// (`{{ x|upper }}`) and `{0}` stay as written.
struct TodayTemplate: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.text.Template", title: "Template",
        description: "Replaces {{ key }} and {key} with str() of the values of a dict and of the node's dynamic properties; other placeholders stay.",
        properties: [
            PropertyDescriptor("string", textType, default: "", description: "The text, e.g. Hello, {{ name }}!"),
            PropertyDescriptor("values", .any, default: [:], description: "A dict of values; a dynamic property of the same name wins."),
        ],
        outputs: [OutputDescriptor("output", .string)], runsInline: true, isDynamic: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        // `dict.update`: a dynamic property replaces a key of `values` where that key stands.
        var substitutions: OrderedDictionary<String, Value> = [:]
        if case .dict(let given) = context["values"] { substitutions = given }
        for (name, value) in context.inputs.all where Self.metadata.property(named: name) == nil { substitutions[name] = value }

        var text = Array(try context.text("string").unicodeScalars)
        for (key, value) in substitutions {
            try context.checkCancellation()
            let placeholder = TemplatePlaceholder(key: Array(key.unicodeScalars))
            let replacement = Array(value.pythonStr.unicodeScalars)
            text = try placeholder.replace(in: text, with: replacement, doubleBraced: true, context: context)
            text = try placeholder.replace(in: text, with: replacement, doubleBraced: false, context: context)
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: text)
        return NodeOutputs(.string(String(out)))
    }
}

/// One key's placeholders, found as Python's `re.sub` finds `{{\s*KEY\s*}}` and
/// `(?<!\{)\{KEY\}(?!\})` (the key taken literally, `re.escape`): left to right, without
/// overlaps, on code points, `\s` being Python's white space.
struct TemplatePlaceholder {
    let key: [Unicode.Scalar]
    /// How many of the key's first scalars are white space.
    let leadingSpaces: Int

    init(key: [Unicode.Scalar]) {
        self.key = key
        leadingSpaces = key.prefix(while: { PythonText.isSpace($0) }).count
    }

    /// `text` with every placeholder of one form replaced; fails when the result would pass the
    /// run's string limit.
    func replace(in text: [Unicode.Scalar], with value: [Unicode.Scalar], doubleBraced: Bool, context: NodeContext) throws -> [Unicode.Scalar] {
        guard text.contains("{") else { return text }
        let valueBytes = value.reduce(0) { $0 + UTF8.width($1) }
        let limit = context.limits.maxStringBytes
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var bytes = 0
        var i = 0
        var steps = 0
        while i < text.count {
            steps += 1
            if steps & 0xF_FFFF == 0 { try context.checkCancellation() }
            if let end = doubleBraced ? doubleBracedEnd(text, at: i) : singleBracedEnd(text, at: i) {
                bytes += valueBytes
                if bytes > limit { try context.checkSize(bytes, of: "the filled template") }
                out.append(contentsOf: value)
                i = end
            } else {
                bytes += UTF8.width(text[i])
                out.append(text[i])
                i += 1
            }
        }
        return out
    }

    /// Where `{{\s*KEY\s*}}` starting at `i` ends, if it matches there.
    func doubleBracedEnd(_ t: [Unicode.Scalar], at i: Int) -> Int? {
        guard i + 1 < t.count, t[i] == "{", t[i + 1] == "{" else { return nil }
        let open = i + 2
        var spaceEnd = open
        while spaceEnd < t.count, PythonText.isSpace(t[spaceEnd]) { spaceEnd += 1 }
        let keyEnd: Int
        if leadingSpaces == key.count {
            // A key of white space only (or empty) lies inside the run of spaces, if anywhere;
            // the second `\s*` then takes the rest of the run, whichever place it lies at.
            guard spaceEnd - open >= key.count, occurs(key, in: t[open..<spaceEnd]) else { return nil }
            keyEnd = spaceEnd
        } else {
            // `\s*` gives back exactly the key's leading spaces: the key's first other scalar
            // must be the first scalar after the run.
            let start = spaceEnd - leadingSpaces
            guard start >= open, start + key.count <= t.count, t[start..<(start + key.count)].elementsEqual(key) else { return nil }
            keyEnd = start + key.count
        }
        var close = keyEnd
        while close < t.count, PythonText.isSpace(t[close]) { close += 1 }
        guard close + 1 < t.count, t[close] == "}", t[close + 1] == "}" else { return nil }
        return close + 2
    }

    /// Where `(?<!\{)\{KEY\}(?!\})` starting at `i` ends, if it matches there.
    func singleBracedEnd(_ t: [Unicode.Scalar], at i: Int) -> Int? {
        let close = i + 1 + key.count
        guard close < t.count, t[i] == "{", i == 0 || t[i - 1] != "{", t[close] == "}",
            close + 1 == t.count || t[close + 1] != "}",
            t[(i + 1)..<close].elementsEqual(key)
        else { return nil }
        return close + 1
    }

    private func occurs(_ needle: [Unicode.Scalar], in haystack: ArraySlice<Unicode.Scalar>) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        var start = haystack.startIndex
        while start + needle.count <= haystack.endIndex {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }
}

/// Today's `text.SaveText`: the text is `text` (0.5.3: `value`) and the default name carries the
/// date and time (`%Y-%m-%d-%H-%M-%S.txt`), expanded as `SaveJSON` expands it. nodetool requires
/// an edge into `text`; here a value in the file does as well. Like 0.5.3's, it writes a file
/// into `folder` (a path; the current directory when empty) and outputs a `file://` text
/// reference, where nodetool creates an asset in its store.
struct TodaySaveText: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.text.SaveText", title: "Save Text",
        description: "Saves a text to a file in a folder and outputs a reference to it; the name takes %Y %m %d %H %M %S.",
        properties: [
            PropertyDescriptor("text", textType, description: "The text."),
            PropertyDescriptor("folder", .union([.string, .dict]), default: "", description: "The folder (a path; empty for the current directory)."),
            PropertyDescriptor("name", .string, default: "%Y-%m-%d-%H-%M-%S.txt", description: "The file name; %Y %m %d %H %M %S are the date and time."),
        ],
        outputs: [OutputDescriptor("output", AssetRef.type("text"))], isCacheable: false)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text = try context.text("text")
        let folder = context["folder"].stringValue ?? ""
        let name = SaveJSON.timestamped(try context.input("name"), at: Date())
        return NodeOutputs(try FileAssets.save(Array(text.utf8), folder: (folder as NSString).expandingTildeInPath, name: name, kind: "text"))
    }
}

/// Today's `text.Join`: joins `str()` of each item (`1`, `2.0`, `None`, `[1, 'a']`), where 0.5.3
/// required strings.
struct TodayJoin: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.text.Join", title: "Join", description: "Joins Python's str() of each item, with a separator between them.",
        properties: [
            PropertyDescriptor("strings", .list(.any), default: [], description: "The items to join."),
            PropertyDescriptor("separator", .string, default: "", description: "What goes between two items."),
        ],
        outputs: [OutputDescriptor("output", .string)], runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let items: [Value] = try context.input("strings")
        let separator: String = try context.input("separator")
        var parts: [String] = []
        parts.reserveCapacity(items.count)
        var bytes = 0
        for item in items {
            let part = item.pythonStr
            bytes += part.utf8.count + (parts.isEmpty ? 0 : separator.utf8.count)
            try context.checkSize(bytes, of: "the joined text")
            parts.append(part)
        }
        return NodeOutputs(.string(parts.joined(separator: separator)))
    }
}

/// Today's `boolean.Compare`: `a` and `b` are numbers (default 0), compared exactly as Python
/// compares an int with a float (2⁵³ + 1 > 2.0⁵³; NaN is neither equal, smaller nor larger). 0.5.3
/// compared any two values. A value that is not a number is an error here: nodetool's loader
/// rejects one in the file or on a typed edge, and its runner drops one that arrives from an
/// untyped output (the property keeps 0).
struct TodayCompare: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.boolean.Compare", title: "Compare", description: "Compares two numbers with ==, !=, >, <, >= or <= (1 == 1.0).",
        properties: [
            PropertyDescriptor("a", .number, default: 0, description: "The first number."),
            PropertyDescriptor("b", .number, default: 0, description: "The second number."),
            PropertyDescriptor("comparison", .enumeration(["==", "!=", ">", "<", ">=", "<="]), default: "==", description: "The comparison."),
        ],
        outputs: [OutputDescriptor("output", .bool)], runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let a = try Self.number(context, "a"), b = try Self.number(context, "b")
        let order = Self.order(a, b)
        let result: Bool
        switch try context.input("comparison", as: String.self) {
        case "==": result = order == .same
        case "!=": result = order != .same
        case ">": result = order == .descending
        case "<": result = order == .ascending
        case ">=": result = order == .descending || order == .same
        default: result = order == .ascending || order == .same
        }
        return NodeOutputs(.bool(result))
    }

    /// An int or a float (a bool as the int it is in Python).
    static func number(_ context: NodeContext, _ name: String) throws -> Value {
        switch context[name] {
        case .int, .float: return context[name]
        case .bool(let b): return .int(b ? 1 : 0)
        case let other: throw NodeInputError(nodeID: context.nodeID, nodeType: metadata.type, property: name, value: other, expected: "a number")
        }
    }

    /// Python's exact order of two numbers; `nil` when either is NaN.
    static func order(_ a: Value, _ b: Value) -> Value.ComparisonResult? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? .ascending : (x > y ? .descending : .same)
        case (.int(let x), .float(let y)): return order(x, y)
        case (.float(let x), .int(let y)): return order(y, x).map(flipped)
        case (.float(let x), .float(let y)):
            if x.isNaN || y.isNaN { return nil }
            return x < y ? .ascending : (x > y ? .descending : .same)
        default: return nil
        }
    }

    static func flipped(_ order: Value.ComparisonResult) -> Value.ComparisonResult {
        switch order {
        case .ascending: .descending
        case .descending: .ascending
        case .same: .same
        }
    }

    /// An int against a float without rounding the int (a Double holds 53 bits of it).
    static func order(_ i: Int, _ d: Double) -> Value.ComparisonResult? {
        if d.isNaN { return nil }
        if d >= 0x1p63 { return .ascending }  // past every Int, +inf included
        if d < -0x1p63 { return .descending }
        let whole = d.rounded(.down)
        let w = Int(whole)
        if i != w { return i < w ? .ascending : .descending }
        return whole < d ? .ascending : .same
    }
}

/// Today's `input.StringInput`: `max_length` and `line_mode` are the editor's; the value passes
/// on whole, as nodetool's runner passes an input's value without calling its `process`.
struct TodayStringInput: Node {
    static let metadata = inputMetadata("StringInput", .string, "", "A string parameter (max_length and line_mode guide the editor; the value is passed on whole, as nodetool's runner does).", extra: [
        PropertyDescriptor("max_length", .int, default: 0, description: "The most characters the editor lets one type; 0 for no limit.", bounds: 0...100_000),
        PropertyDescriptor("line_mode", .string, default: "single_line", description: "How the editor shows the field: single_line or multi_line."),
    ])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        NodeOutputs(context["value"])
    }
}

/// Today's `text.Chunk`: words are split at each `separator`, by default a single space (Python's
/// `text.split(" ")`: two spaces make an empty word, tabs and line breaks do not split); 0.5.3
/// split at any run of white space. Chunks of `length` words start every `length - overlap` words
/// and are joined with single spaces.
struct TodayChunk: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.text.Chunk", title: "Split Text into Chunks",
        description: "Splits a text at each separator (a space by default) into chunks of `length` words, overlapping by `overlap` words.",
        properties: [
            PropertyDescriptor("text", textType, default: "", description: "The text."),
            PropertyDescriptor("length", .int, default: 100, description: "Words per chunk, 1 to 1000.", bounds: 1...1000),
            PropertyDescriptor("overlap", .int, default: 0, description: "Words shared by consecutive chunks; less than length."),
            PropertyDescriptor("separator", .string, default: " ", description: "What separates words; not empty."),
        ],
        outputs: [OutputDescriptor("output", .list(.string))], runsInline: true)

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text = try context.text("text")
        let length: Int = try context.input("length"), overlap: Int = try context.input("overlap")
        // nodetool gives a "range() arg 3" error, an empty list or skipped words outside these.
        guard (1...1000).contains(length) else { throw NodeError("'length' must be between 1 and 1000, got \(length)") }
        guard overlap >= 0, overlap < length else { throw NodeError("'overlap' must be at least 0 and less than length (\(length)), got \(overlap)") }
        let separator: String = try context.input("separator")
        guard !separator.isEmpty else { throw NodeError("empty separator") }
        let words = try Self.split(text, at: separator, context: context)
        // Overlapping chunks repeat words: bound the result before building it.
        var wordBytes = [0]
        wordBytes.reserveCapacity(words.count + 1)
        for word in words { wordBytes.append(wordBytes[wordBytes.count - 1] + word.utf8.count) }
        let step = length - overlap
        let starts = stride(from: 0, to: words.count, by: step)
        try context.checkCount((words.count + step - 1) / step, of: "the chunks")
        var total = 0
        for start in starts {
            let end = min(start + length, words.count)
            total += wordBytes[end] - wordBytes[start] + (end - start - 1)
        }
        try context.checkSize(total, of: "the chunks")
        let chunks = starts.map { start in Value.string(words[start..<min(start + length, words.count)].joined(separator: " ")) }
        return NodeOutputs(.list(chunks))
    }

    /// Python's `text.split(separator)`: at each occurrence, left to right, comparing code points.
    static func split(_ text: String, at separator: String, context: NodeContext) throws -> [String] {
        let t = Array(text.unicodeScalars), sep = Array(separator.unicodeScalars)
        var words: [String] = []
        var word = String.UnicodeScalarView()
        var i = 0
        while i < t.count {
            if t[i] == sep[0], i + sep.count <= t.count, t[i..<(i + sep.count)].elementsEqual(sep) {
                words.append(String(word))
                word = String.UnicodeScalarView()
                i += sep.count
                if words.count & 0xFFFF == 0 { try context.checkCount(words.count, of: "the words") }
            } else {
                word.append(t[i])
                i += 1
            }
        }
        words.append(String(word))
        return words
    }
}
