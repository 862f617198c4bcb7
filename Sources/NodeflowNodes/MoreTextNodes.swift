import Foundation
import Nodeflow

/// The rest of `nodetool.text.*`: slicing, chunking, regular expressions, JSON, and saving text.
enum MoreTextNodes {
    static let all: [any Node.Type] = [Extract.self, Chunk.self, ExtractRegex.self, FindAllRegex.self, TextParseJSON.self, ExtractJSON.self, TextID.self, SaveText.self, JSONToDataframe.self]
}

/// `inline: false` for nodes whose time the input decides (a regular expression can backtrack
/// for long): they get a task of their own, so the scope goes on beside them.
private func textNode(_ name: String, _ description: String, _ properties: [PropertyDescriptor], output: PropertyType = .string, cacheable: Bool = true, inline: Bool = true) -> NodeMetadata {
    NodeMetadata(type: "nodetool.text.\(name)", title: name, description: description, properties: properties, outputs: [OutputDescriptor("output", output)], isCacheable: cacheable, runsInline: cacheable && inline)
}

struct Extract: Node {
    static let metadata = textNode("Extract", "The characters from start up to end (Python's text[start:end]; negative indices count from the end).", [
        PropertyDescriptor("text", textType, default: "", description: "The text."),
        PropertyDescriptor("start", .int, default: 0, description: "The first character."),
        PropertyDescriptor("end", .int, default: 0, description: "The character to stop before."),
    ])
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let scalars = Array(try context.text("text").unicodeScalars)
        let part = PythonSlice.apply(scalars, start: try context.input("start"), stop: try context.input("end"), step: 1)
        var out = String.UnicodeScalarView()
        out.append(contentsOf: part)
        return NodeOutputs(.string(String(out)))
    }
}

struct Chunk: Node {
    static let metadata = textNode("Chunk", "Splits a text into chunks of `length` words, overlapping by `overlap` words.", [
        PropertyDescriptor("text", textType, default: "", description: "The text."),
        PropertyDescriptor("length", .int, default: 100, description: "Words per chunk, 1 to 1000."),
        PropertyDescriptor("overlap", .int, default: 0, description: "Words shared by consecutive chunks; less than length."),
        PropertyDescriptor("separator", .optional(.string), default: .null, description: "What separates words; null for any whitespace."),
    ], output: .list(.string))
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text = try context.text("text")
        let length: Int = try context.input("length"), overlap: Int = try context.input("overlap")
        guard (1...1000).contains(length) else { throw NodeError("'length' must be between 1 and 1000, got \(length)") }
        guard overlap >= 0, overlap < length else { throw NodeError("'overlap' must be at least 0 and less than length (\(length)), got \(overlap)") }
        let words: [String]
        if let separator = try context.input("separator", as: String?.self) {
            guard !separator.isEmpty else { throw NodeError("'separator' is empty") }
            words = text.components(separatedBy: separator)
        } else {
            words = text.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        }
        let chunks = stride(from: 0, to: words.count, by: length - overlap).map { start in
            words[start..<min(start + length, words.count)].joined(separator: " ")
        }
        return NodeOutputs(.list(chunks.map(Value.string)))
    }
}

/// Python `re` flags on top of NSRegularExpression.
enum PythonRegex {
    static func compile(_ context: NodeContext) throws -> NSRegularExpression {
        var options: NSRegularExpression.Options = []
        if try context.input("dotall", as: Bool.self) { options.insert(.dotMatchesLineSeparators) }
        if try context.input("ignorecase", as: Bool.self) { options.insert(.caseInsensitive) }
        if try context.input("multiline", as: Bool.self) { options.insert(.anchorsMatchLines) }
        let pattern: String = try context.input("regex")
        do {
            return try NSRegularExpression(pattern: pattern, options: options)
        } catch {
            throw NodeError("'regex' is not a valid regular expression: \(pattern)")
        }
    }

    /// The matches of `regex` in `text`, the first `limit` of them, or the first only.
    ///
    /// A pattern can backtrack for hours (`(a+)+$` on 50 characters); ICU calls back every few
    /// thousand steps while it does, and the match stops there once the task is cancelled.
    /// - Throws: `CancellationError` when cancelled; ``ValueLimitError`` past `limit` matches.
    /// Every match (the first `count` when given; the first only with `firstOnly`), ending at a
    /// cancel; more than `limit` matches is a ``ValueLimitError``.
    static func matches(_ regex: NSRegularExpression, in text: String, firstOnly: Bool = false, upTo count: Int? = nil, limit: Int, context: NodeContext) throws -> [NSTextCheckingResult] {
        final class Progress: @unchecked Sendable {  // touched only by the synchronous callback
            var found: [NSTextCheckingResult] = []
            var cancelled = false
            var overLimit = false
        }
        let progress = Progress()
        regex.enumerateMatches(in: text, options: [.reportProgress], range: NSRange(text.startIndex..., in: text)) { match, _, stop in
            if context.isCancelled {
                progress.cancelled = true
                stop.pointee = true
                return
            }
            guard let match else { return }
            progress.found.append(match)
            if firstOnly || progress.found.count == count { stop.pointee = true }
            if progress.found.count > limit {
                progress.overLimit = true
                stop.pointee = true
            }
        }
        if progress.cancelled { throw CancellationError() }
        if progress.overLimit { throw ValueLimitError(what: "the list of matches", size: nil, limit: limit, unit: "items") }
        return progress.found
    }

    static func group(_ match: NSTextCheckingResult, _ i: Int, in text: String) -> Value {
        let range = match.range(at: i)
        guard range.location != NSNotFound, let r = Range(range, in: text) else { return .null }
        return .string(String(text[r]))
    }

    static let properties = [
        PropertyDescriptor("text", textType, default: "", description: "The text to search."),
        PropertyDescriptor("regex", .string, default: "", description: "The regular expression."),
        PropertyDescriptor("dotall", .bool, default: false, description: "'.' also matches newlines."),
        PropertyDescriptor("ignorecase", .bool, default: false, description: "Ignore case."),
        PropertyDescriptor("multiline", .bool, default: false, description: "'^' and '$' match at line breaks."),
    ]
}

struct ExtractRegex: Node {
    static let metadata = textNode("ExtractRegex", "The groups of the first match of a regular expression (empty when nothing matches).", PythonRegex.properties, output: .list(.any), inline: false)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let regex = try PythonRegex.compile(context)
        let text = try context.text("text")
        guard let match = try PythonRegex.matches(regex, in: text, firstOnly: true, limit: 1, context: context).first else { return NodeOutputs(.list([])) }
        return NodeOutputs(.list((1..<match.numberOfRanges).map { PythonRegex.group(match, $0, in: text) }))
    }
}

struct FindAllRegex: Node {
    static let metadata = textNode("FindAllRegex", "Every match of a regular expression, as Python's re.findall gives them (the group when there is one, a list of groups when several).", PythonRegex.properties, output: .list(.any), inline: false)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let regex = try PythonRegex.compile(context)
        let text = try context.text("text")
        let matches = try PythonRegex.matches(regex, in: text, limit: context.limits.maxListCount, context: context)
        let values: [Value] = matches.map { match in
            switch regex.numberOfCaptureGroups {
            case 0: return PythonRegex.group(match, 0, in: text)
            case 1:
                let g = PythonRegex.group(match, 1, in: text)
                return g.isNull ? "" : g
            default: return .list((1...regex.numberOfCaptureGroups).map { let g = PythonRegex.group(match, $0, in: text); return g.isNull ? "" : g })
            }
        }
        return NodeOutputs(.list(values))
    }
}

struct TextParseJSON: Node {
    static let metadata = textNode("ParseJSON", "Parses a JSON text into a value.", [PropertyDescriptor("text", textType, default: "", description: "The JSON text.")], output: .any)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        do {
            return NodeOutputs(try Value(json: try context.text("text")))
        } catch let error as JSONSyntaxError {
            throw NodeError("'text' is not valid JSON: \(error)")
        }
    }
}

struct ExtractJSON: Node {
    static let metadata = textNode("ExtractJSON", "Extracts from a JSON text with a JSONPath expression: the first match, or every match with find_all.", [
        PropertyDescriptor("text", textType, default: AssetRef.empty("text"), description: "The JSON text."),
        PropertyDescriptor("json_path", .string, default: "$.*", description: "The JSONPath expression."),
        PropertyDescriptor("find_all", .bool, default: false, description: "Return every match as a list."),
    ], output: .any)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let value: Value
        do { value = try Value(json: try context.text("text")) } catch let error as JSONSyntaxError { throw NodeError("'text' is not valid JSON: \(error)") }
        let path: String = try context.input("json_path")
        let matches = try JSONPath.find(path, in: value, limit: context.limits.maxListCount)
        if try context.input("find_all", as: Bool.self) { return NodeOutputs(.list(matches)) }
        guard let first = matches.first else { throw NodeError("JSONPath '\(path)' matches nothing") }
        return NodeOutputs(first)
    }
}

struct TextID: Node {
    static let metadata = textNode("TextID", "The asset id of a text reference.", [PropertyDescriptor("text", AssetRef.type("text"), default: AssetRef.empty("text"), description: "The text reference.")], output: .optional(.string))
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        NodeOutputs(context["text"]["asset_id"] ?? .null)
    }
}

/// Writes files for the Save nodes into a folder, and answers with a `file://` reference.
enum FileAssets {
    static func save(_ bytes: [UInt8], folder: String, name: String, kind: String) throws -> Value {
        guard !name.isEmpty, !name.contains("/") else { throw NodeError("'name' must be a file name, got '\(name)'") }
        let directory = URL(fileURLWithPath: folder.isEmpty ? FileManager.default.currentDirectoryPath : folder, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let url = directory.appendingPathComponent(name)
            try Data(bytes).write(to: url, options: .atomic)
            return ["type": .string(kind), "uri": .string(url.absoluteString), "asset_id": nil, "data": nil]
        } catch {
            throw NodeError("cannot write \(name) in \(directory.path): \(error.localizedDescription)")
        }
    }
}

struct SaveText: Node {
    static let metadata = textNode("SaveText", "Saves a text to a file in a folder and outputs a reference to it.", [
        PropertyDescriptor("value", textType, default: AssetRef.empty("text"), description: "The text."),
        PropertyDescriptor("folder", .union([.string, .dict]), default: "", description: "The folder (a path; empty for the current directory)."),
        PropertyDescriptor("name", .string, default: "text.txt", description: "The file name."),
    ], output: AssetRef.type("text"), cacheable: false)
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let folder = context["folder"].stringValue ?? ""
        return NodeOutputs(try FileAssets.save(Array(try context.text("value").utf8), folder: folder, name: try context.input("name"), kind: "text"))
    }
}

struct JSONToDataframe: Node {
    static let metadata = textNode("JSONToDataframe", "Reads a JSON list of objects into a dataframe, one row per object.", [
        PropertyDescriptor("text", textType, default: AssetRef.empty("text"), description: "The JSON text: a list of objects."),
    ], output: AssetRef.type("dataframe"))
    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let value: Value
        do { value = try Value(json: try context.text("text")) } catch let error as JSONSyntaxError { throw NodeError("'text' is not valid JSON: \(error)") }
        guard case .list(let rows) = value else { throw NodeError("'text' must hold a JSON list of objects, got \(value.kindName)") }
        return NodeOutputs(try DataframeValues.from(rows: rows))
    }
}
