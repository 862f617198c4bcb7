import Nodeflow

/// Today's text nodes that gather a stream or read HTML (nodetool-base; `HTMLToText` under the
/// `nodetool.text` name of 2025 and the `lib.beautifulsoup` name of today).
enum TodayTextNodes {
    static let all: [any Node.Type] = [TextCollect.self, HTMLToText.self, BeautifulSoupHTMLToText.self, HtmlToText.self]
}

/// Joins every text of a stream with `separator`, sent when the stream ends.
struct TextCollect: StreamConsumerNode {
    static let metadata = NodeMetadata(
        type: "nodetool.text.Collect", title: "Collect", description: "Joins a stream of texts into one, with a separator between them.",
        properties: [
            PropertyDescriptor("input_item", .string, default: "", description: "The texts to join."),
            PropertyDescriptor("separator", .string, default: "", description: "The text between two items."),
        ],
        outputs: [OutputDescriptor("output", .string)], isCacheable: false, runsInline: true)
    static let passesStreamOn = false

    func makeReader(_ context: NodeContext) throws -> any NodeStreamReader {
        Reader(limits: context, separator: try context.input("separator"))
    }

    struct Reader: NodeStreamReader {
        let limits: NodeContext
        let separator: String
        var text = ""
        var count = 0

        mutating func receive(_ value: Value, on handle: String, emit: inout StreamEmitter) async throws {
            guard handle == "input_item" else { return }
            guard case .string(let item) = value else {
                throw NodeError("sequence item \(count): expected str instance, \(value.kindName) found")
            }
            if count > 0 { text += separator }
            text += item
            count += 1
            try limits.checkSize(text.utf8.count, of: "the collected text")
        }

        mutating func finish(emit: inout StreamEmitter) async throws {
            emit.emit(NodeOutputs(.string(text)))
            text = ""
            count = 0
        }
    }
}

/// BeautifulSoup's `get_text()` with nodetool's line handling (a task of its own, as every node
/// that reads a whole document: a large page must not hold the scheduler): `<br>` and the end of each
/// paragraph, div, heading and list item become line breaks; blank-line runs become one blank
/// line, space runs one space.
struct HTMLToText: Node {
    static var metadata: NodeMetadata { metadata("nodetool.text.HTMLToText") }

    static func metadata(_ type: String) -> NodeMetadata {
        NodeMetadata(
            type: type, title: "Convert HTML to Text", description: "The text of an HTML document, tags removed and entities decoded.",
            properties: [
                PropertyDescriptor("text", .string, default: "", description: "The HTML."),
                PropertyDescriptor("preserve_linebreaks", .bool, default: true, description: "Break lines at <br> and after block elements."),
            ],
            outputs: [OutputDescriptor("output", .string)])
    }

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let text = Self.convert(try context.input("text"), preserveLinebreaks: try context.input("preserve_linebreaks"))
        return NodeOutputs(.string(text))
    }

    static let blockElements: Set<String> = ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li"]

    static func convert(_ html: String, preserveLinebreaks: Bool) -> String {
        var text = ""
        var open: [String] = []
        var openCount: [String: Int] = [:]  // an end tag with nothing to close costs no scan of `open`
        for token in HTMLTokenizer.tokens(html) {
            switch token {
            case .text(let t):
                // BeautifulSoup keeps a whitespace-only string as one newline or space (outside pre).
                if t.unicodeScalars.allSatisfy(PythonText.isSpace), !open.contains("pre"), !open.contains("textarea") {
                    text += t.contains("\n") ? "\n" : " "
                } else {
                    text += t
                }
            case .raw: break  // script and style contents are not text
            case .start(let name, _):
                if name == "br" {
                    if preserveLinebreaks { text += "\n" }
                } else if !HTMLTokenizer.voidElements.contains(name) {
                    open.append(name)
                    openCount[name, default: 0] += 1
                }
            case .end(let name):
                // An end tag closes its element and every element left open inside it.
                guard openCount[name, default: 0] > 0, let at = open.lastIndex(of: name) else { continue }
                for closed in open[at...].reversed() {
                    if preserveLinebreaks && blockElements.contains(closed) { text += "\n" }
                    openCount[closed]! -= 1
                }
                open.removeSubrange(at...)
            }
        }
        for closed in open.reversed() where preserveLinebreaks && blockElements.contains(closed) { text += "\n" }
        return PythonText.strip(collapse(text))
    }

    /// `re.sub(r"\n\s*\n", "\n\n", text)` then `re.sub(r" +", " ", text)`.
    private static func collapse(_ text: String) -> String {
        let chars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\n" {
                var j = i + 1
                var lastNewline = -1
                while j < chars.count, PythonText.isSpace(chars[j]) {
                    if chars[j] == "\n" { lastNewline = j }
                    j += 1
                }
                if lastNewline >= 0 {
                    out.append(contentsOf: "\n\n".unicodeScalars)
                    i = lastNewline + 1
                    continue
                }
                out.append(c)
                i += 1
            } else if c == " " {
                out.append(c)
                while i < chars.count, chars[i] == " " { i += 1 }
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(out)
    }
}

/// The same node under today's pack name.
struct BeautifulSoupHTMLToText: Node {
    static var metadata: NodeMetadata { HTMLToText.metadata("lib.beautifulsoup.HTMLToText") }
    func process(_ context: NodeContext) async throws -> NodeOutputs { try await HTMLToText().process(context) }
}

/// HTML to Markdown-flavoured text, as the `html2text` package writes it (``MarkdownWriter``).
struct HtmlToText: Node {
    static let metadata = NodeMetadata(
        type: "nodetool.text.HtmlToText", title: "HTML to Text", description: "Converts HTML to Markdown-style text (headings, emphasis, links, lists).",
        properties: [
            PropertyDescriptor("html", .string, default: "", description: "The HTML."),
            PropertyDescriptor("base_url", .string, default: "", description: "The URL relative links are resolved against."),
            PropertyDescriptor("body_width", .int, default: 1000, description: "The width prose lines are wrapped at (0: not wrapped)."),
            PropertyDescriptor("ignore_images", .bool, default: true, description: "Leave images out."),
            PropertyDescriptor("ignore_mailto_links", .bool, default: true, description: "Write mailto links as their text."),
        ],
        outputs: [OutputDescriptor("output", .string)])

    func process(_ context: NodeContext) async throws -> NodeOutputs {
        let writer = MarkdownWriter(
            baseURL: try context.input("base_url"), bodyWidth: try context.input("body_width", in: 0...Int.max), ignoreImages: try context.input("ignore_images"),
            ignoreMailtoLinks: try context.input("ignore_mailto_links"))
        let text = try writer.convert(try context.input("html"), maxBytes: context.processing.limits.maxStringBytes)
        return NodeOutputs(.string(text))
    }
}

/// Python's notion of whitespace for `str.strip()` and `\s`.
enum PythonText {
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace || ("\u{1C}"..."\u{1F}").contains(c)
    }

    static func strip(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
